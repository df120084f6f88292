"""Settings, read once from the environment (prefix ``PODIUM_``) or a ``.env`` file."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./podium.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PODIUM_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Every Redis key Podium writes starts with this, so instances can share a Redis.
    redis_prefix: str = Field(default="podium", min_length=1)
    secret_key: str | None = None
    # Where generated state that is not data lives (the persisted secret key).
    data_dir: Path = Path(".podium")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Whether a serving process also runs the background work (webhook deliveries,
    # judging, board upkeep); `podium serve --no-background` turns it off when
    # `podium worker` processes do that work instead.
    background: bool = True
    # Whose X-Forwarded-For/-Proto/-Host/-Prefix are believed: addresses or networks,
    # comma-separated ("*" trusts everyone: only when nothing but the proxy reaches us).
    trusted_proxies: str = "127.0.0.1,::1"
    # The path Podium is served under behind a proxy ("/podium"); empty serves at "/".
    root_path: str = ""
    log_level: str = "info"
    log_json: bool = True
    # /metrics asks for ``Authorization: Bearer <this>`` when set; unset, it answers
    # loopback clients only (a Prometheus on the same host).
    metrics_token: str | None = None
    # Largest request body the native API accepts, in bytes.
    max_body_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # Largest number of rows one bulk upload may carry.
    max_bulk_rows: int = Field(default=50_000, gt=0)
    # Page size ceiling for list routes.
    max_page_size: int = Field(default=500, gt=0)

    # Outbound webhooks (native and Polympics callbacks): tries before a delivery is parked as
    # dead, the first retry delay (doubling each time, with jitter), its ceiling, and
    # how long one POST may take.
    webhook_max_attempts: int = Field(default=8, gt=0)
    webhook_retry_base_seconds: float = Field(default=2.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    # How long a worker owns a delivery it is sending: one that dies mid-send leaves
    # the delivery to be sent again after this.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)

    # Polympics dialect: the organization it serves (created on first use), whether
    # new accounts may sign up, how long a user session lives ("30d", "12h 30m", ...),
    # the largest page, and where Discord's API and CDN are.
    polympics_organization: str = "polympics"
    polympics_signups_open: bool = True
    polympics_max_session_age: str = "30d"
    polympics_max_per_page: int = Field(default=100, gt=0)
    polympics_discord_api_url: str = "https://discord.com/api/v8"
    polympics_discord_cdn_url: str = "https://cdn.discordapp.com"
    # Browser origins allowed to call /polympics (comma-separated), for web front ends.
    polympics_allowed_origins: str = ""

    # Nadeo dialect: the organization of official content (created on first use), and
    # token lifetimes in seconds (access, refresh-after, refresh), as Nadeo's.
    nadeo_organization: str = "nadeo"
    nadeo_access_seconds: int = Field(default=3600, gt=0)
    nadeo_refresh_after_seconds: int = Field(default=1800, gt=0)
    nadeo_refresh_seconds: int = Field(default=86400, gt=0)

    # Mooshak 2 dialect: the organization contests made through its API belong to
    # (created on first use), token lifetime in minutes (Mooshak's 60), how many
    # submissions are judged at once (0 = accept but do not judge in this process),
    # and the largest program accepted, in bytes.
    mooshak_organization: str = "mooshak"
    mooshak_token_minutes: int = Field(default=60, gt=0)
    judge_workers: int = Field(default=2, ge=0)
    judge_max_program_bytes: int = Field(default=100_000, gt=0)

    # The organizer console: the address people reach Podium at, for the links in
    # invitations and password resets (else the address of the request, or the CLI's
    # --base-url); mail is sent when an SMTP server is set
    # (``smtp://user:password@host:587``, ``smtps://...`` for TLS from the start).
    public_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "podium@localhost"
    # A console session ends this many hours after login.
    console_session_hours: float = Field(default=12.0, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        """A typo here would silently trust nobody (or everybody): refuse it at start."""
        for item in value.split(","):
            if item.strip() and item.strip() != "*":
                ipaddress.ip_network(item.strip(), strict=False)
        return value

    @field_validator("root_path")
    @classmethod
    def _root(cls, value: str) -> str:
        cleaned = value.strip().rstrip("/")
        if cleaned and not cleaned.startswith("/"):
            cleaned = "/" + cleaned
        if any(c in cleaned for c in "?#\\ ") or "//" in cleaned:
            raise ValueError("PODIUM_ROOT_PATH is a path such as /podium")
        return cleaned

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated on first start and kept in ``data_dir``.

        Keeping it on disk means tokens and signatures survive a restart.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Several workers may start at once: write a whole file aside, then link it
        # into place; whoever links first wins and everyone reads the winner's key.
        draft = self.data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url
