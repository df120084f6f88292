"""The RunSignup dialect. Importing the package gives the Python client only.

The server half (``routes`` and the modules it uses) is imported by the Podium app
itself, so that using the client never loads FastAPI or the database layer.
"""

from podium.dialects.runsignup.client import (
    DEFAULT_BASE_URL,
    AsyncRunSignupClient,
    RunSignupClient,
)
from podium.dialects.runsignup.errors import (
    AuthenticationError,
    ErrorDetail,
    InvalidRequestError,
    LoginError,
    NotFoundError,
    PermissionDeniedError,
    RunSignupError,
    ServerError,
    ThrottledError,
)
from podium.dialects.runsignup.models import (
    UNSET,
    Event,
    FullResult,
    FullResultsReceipt,
    Login,
    Participant,
    Race,
    ResultSet,
    Unset,
    VirtualResult,
    VirtualResultReceipt,
)
from podium.dialects.runsignup.wire import format_clock, parse_clock

__all__ = [
    "DEFAULT_BASE_URL",
    "UNSET",
    "AsyncRunSignupClient",
    "AuthenticationError",
    "ErrorDetail",
    "Event",
    "FullResult",
    "FullResultsReceipt",
    "InvalidRequestError",
    "Login",
    "LoginError",
    "NotFoundError",
    "Participant",
    "PermissionDeniedError",
    "Race",
    "ResultSet",
    "RunSignupClient",
    "RunSignupError",
    "ServerError",
    "ThrottledError",
    "Unset",
    "VirtualResult",
    "VirtualResultReceipt",
    "format_clock",
    "parse_clock",
]
