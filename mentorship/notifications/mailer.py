"""Sending one e-mail through SMTP (MAIL_URL), or to the `mentorship.mail` log when no MAIL_URL is configured.

Every message is multipart/alternative: the plain text as written, and an HTML part made from that same text
(escaped; paragraphs; links to our own pages as <a>; inline styles only, no images or style sheets). Attachments
(a meeting's .ics) make it multipart/mixed around that.

The SMTP connection is kept between messages, one per thread of a worker process (an RQ worker runs one job at a
time), and opened again after KEEPALIVE_SECONDS idle, after an error, or for another MAIL_URL. A kept connection the
server closed meanwhile fails before this message's DATA: then (and only then) the message goes once more, on a new
connection. Once DATA has begun nothing is resent here: the caller records the failure and retries later (with the
same Message-ID), as with a connection of its own.
"""
import logging
import re
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from flask import current_app
from markupsafe import Markup, escape

# without MAIL_URL: a warning that the e-mail was not sent, and the whole message at INFO for `make run`'s console
log = logging.getLogger("mentorship.mail")

_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)"
_BODY = Markup("margin:0 auto;max-width:560px;padding:24px;background:#ffffff;color:#1f2933;"
         "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang SC','Microsoft YaHei',"
         "sans-serif;font-size:16px;line-height:1.5")
_P = Markup("margin:0 0 16px")
_A = Markup("color:#1a56db;text-decoration:underline")
KEEPALIVE_SECONDS = 30
# refusals of this one message: the connection stays usable (smtplib sent RSET)
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
_STALE = (smtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)
_kept = threading.local()


def send(to, subject, text, message_id, *, attachments=()):
    """Hand one message to the configured transport; raises when the server did not take it. `attachments`:
    objects with filename, content_type ("text/calendar"), data (bytes) and params ({"method": "REQUEST"})."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id  # the same on a retry: receiving systems can tell a repeat
    message.set_content(text)
    message.add_alternative(html(subject, text), subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename,
                               params=dict(attachment.params))
    url = current_app.config.get("MAIL_URL") or ""
    if not url:
        log.warning("e-mail %s not sent: MAIL_URL is not set", message_id)
        files = "".join(f"\nAttachment: {a.filename} ({a.content_type})" for a in attachments)
        log.info("E-mail (no MAIL_URL, not sent)\nTo: %s\nSubject: %s%s\n\n%s\n", to, subject, files, text)
        return
    _smtp(url, message)


def html(subject, text):
    """The HTML part of `text`: every character escaped, blank lines make paragraphs, line breaks <br>, and links to
    this service's own pages (under PUBLIC_URL) become <a>; other URLs (a member may write one) stay plain text."""
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p.strip()]
    body = "".join(Markup('<p style="{}">{}</p>\n').format(_P, Markup("<br>\n").join(
        _linked(line, public) for line in paragraph.split("\n"))) for paragraph in paragraphs)
    return str(Markup('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                      '<meta name="viewport" content="width=device-width, initial-scale=1">'
                      "<title>{}</title></head>\n"
                      '<body style="margin:0;padding:16px;background:#f4f5f7">\n<div style="{}">\n{}</div>\n'
                      "</body></html>\n").format(subject, _BODY, Markup(body)))


def _linked(line, public):
    out, at = [], 0
    for match in _URL.finditer(line):
        url = match.group().rstrip(_TRAILING)
        if not (url == public or url.startswith(public + "/")):
            continue
        out += [escape(line[at:match.start()]), Markup('<a href="{}" style="{}">{}</a>').format(url, _A, url)]
        at = match.start() + len(url)
    out.append(escape(line[at:]))
    return Markup("").join(out)


class _Tracked:
    """Remembers whether this message's DATA began: before it, the server cannot have taken the message."""

    data_begun = False

    def data(self, msg):
        self.data_begun = True
        return super().data(msg)


class _SMTP(_Tracked, smtplib.SMTP):
    pass


class _SMTPSSL(_Tracked, smtplib.SMTP_SSL):
    pass


def _connect(url):
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError(f"MAIL_URL scheme must be smtp, smtps or smtp+starttls, not {parts.scheme!r}")
    timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
    if parts.scheme == "smtps":
        client = _SMTPSSL(parts.hostname, parts.port or 465, timeout=timeout, context=ssl.create_default_context())
    else:
        client = _SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    try:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        client.close()
        raise
    return client


def _connection(url):
    """(client, whether it is new): the thread's kept connection to `url`, or a new one."""
    client = getattr(_kept, "client", None)
    if client is not None and _kept.url == url and time.monotonic() - _kept.used < KEEPALIVE_SECONDS:
        return client, False
    close()
    _kept.client, _kept.url = _connect(url), url
    return _kept.client, True


def close():
    """Close this thread's kept connection, if any (QUIT when the server still listens)."""
    client, _kept.client = getattr(_kept, "client", None), None
    if client is not None:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            client.close()


def _smtp(url, message):
    client, new = _connection(url)
    client.data_begun = False
    try:
        try:
            client.send_message(message)
        except _STALE:
            if new or client.data_begun:
                raise
            close()  # kept too long on the server's side; it never saw this message: once more, on a new one
            client, _ = _connection(url)
            client.send_message(message)
    except _REFUSED:
        _kept.used = time.monotonic()
        raise
    except BaseException:
        close()
        raise
    _kept.used = time.monotonic()
