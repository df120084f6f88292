"""The MultiGP RaceSync dialect. Importing the package gives the Python client only.

The server half (``routes`` and the modules it uses) is imported by the Podium app
itself, so that a race timer using the client never loads FastAPI or the database.
"""

from podium.dialects.multigp.client import BASE_API_URL, MultiGPAPI

__all__ = ["BASE_API_URL", "MultiGPAPI"]
