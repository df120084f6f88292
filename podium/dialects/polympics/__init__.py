"""The Polympics dialect. Importing the package gives the Python client only.

The server half (``routes`` and the modules it uses) is imported by the Podium app
itself, so that using the client never loads FastAPI or the database layer.
"""

from podium.dialects.polympics.client import (
    NO_TEAM,
    AppClient,
    UnauthenticatedClient,
    UserClient,
)
from podium.dialects.polympics.errors import (
    ClientError,
    DataError,
    PolympicsError,
    ResponseError,
    ServerError,
)
from podium.dialects.polympics.handlers import account_team_update, verify_callback
from podium.dialects.polympics.models import (
    Account,
    AccountTeamUpdateEvent,
    App,
    AppCredentials,
    Award,
    Callback,
    Credentials,
    Session,
    Team,
)
from podium.dialects.polympics.pagination import PageMeta, Paginator
from podium.dialects.polympics.wire import EventType, Permissions

__all__ = [
    "NO_TEAM",
    "Account",
    "AccountTeamUpdateEvent",
    "App",
    "AppClient",
    "AppCredentials",
    "Award",
    "Callback",
    "ClientError",
    "Credentials",
    "DataError",
    "EventType",
    "PageMeta",
    "Paginator",
    "Permissions",
    "PolympicsError",
    "ResponseError",
    "ServerError",
    "Session",
    "Team",
    "UnauthenticatedClient",
    "UserClient",
    "account_team_update",
    "verify_callback",
]
