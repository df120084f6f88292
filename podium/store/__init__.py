"""Storage: schema, engine and the unit of work that appends to the event log."""

from podium.store.database import Database
from podium.store.tables import Base

__all__ = ["Base", "Database"]
