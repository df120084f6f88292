"""The Nadeo (Trackmania) dialect.

This package holds Podium's server side (``routes``, ``jwt``, ``content`` ...) and a
synchronous client for Nadeo's web services, re-exported here::

    from podium.dialects.nadeo import ServiceToken, config, live

    config.use_base("http://127.0.0.1:8000")
    token = ServiceToken.get(login, password, audience="NadeoLiveServices")
    live.get_maps_totd(token, length=1)

Only the client modules are imported by this file.
"""

from podium.dialects.nadeo import config, core, live
from podium.dialects.nadeo.auth import DedicatedServerToken, ServiceToken, WebServicesToken
from podium.dialects.nadeo.errors import (
    ApiError,
    AudienceError,
    AuthenticationError,
    NadeoError,
    ParameterError,
    UsageError,
)

__all__ = [
    "ApiError",
    "AudienceError",
    "AuthenticationError",
    "DedicatedServerToken",
    "NadeoError",
    "ParameterError",
    "ServiceToken",
    "UsageError",
    "WebServicesToken",
    "config",
    "core",
    "live",
]
