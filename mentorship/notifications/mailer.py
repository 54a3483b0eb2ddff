"""Sending one e-mail through SMTP (MAIL_URL), or to the log when no MAIL_URL is configured."""
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger(__name__)


def send(to, subject, body, message_id):
    """Hand one message to the configured transport; raises when the server did not take it."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id  # the same on a retry: receiving systems can tell a repeat
    message.set_content(body)
    url = current_app.config.get("MAIL_URL") or ""
    if not url:
        log.info("mail (no MAIL_URL, not sent): to=%s subject=%s", to, subject)
        return
    _smtp(url, message)


def _smtp(url, message):
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError(f"MAIL_URL scheme must be smtp, smtps or smtp+starttls, not {parts.scheme!r}")
    timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
