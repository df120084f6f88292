"""Outgoing mail for invitations and password resets, when an SMTP server is set.

Sending is optional: a field laptop usually has no mail, so every link is also shown
to whoever asked for it (the owner in the console, the operator at the CLI).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from podium.config import Settings

log = logging.getLogger("podium.mail")


class MailError(Exception):
    """The message could not be handed to the SMTP server (the text says why)."""


def _send(settings: Settings, to: str, subject: str, body: str) -> None:
    assert settings.smtp_url
    url = urlsplit(settings.smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise MailError("PODIUM_SMTP_URL must look like smtp://user:password@host:587.")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
    message.set_content(body)
    context = ssl.create_default_context()
    port = url.port or (465 if url.scheme == "smtps" else 587)
    try:
        if url.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(url.hostname, port, timeout=20, context=context)
        else:
            server = smtplib.SMTP(url.hostname, port, timeout=20)
        with server:
            if url.scheme == "smtp" and server.has_extn("starttls"):
                server.starttls(context=context)
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Mail to {to} was not sent: {exc}") from exc


async def send(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send if an SMTP server is set; whether it was sent. Failures are logged, and the
    link stays on screen, so a mail problem never blocks an invitation."""
    if not settings.smtp_url:
        return False
    try:
        await asyncio.to_thread(_send, settings, to, subject, body)
    except MailError as exc:
        log.warning("mail not sent", extra={"to": to, "reason": str(exc)})
        return False
    log.info("mail sent", extra={"to": to, "subject": subject})
    return True
