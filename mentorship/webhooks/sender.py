"""One HTTP POST of a signed webhook, to an address checked by ssrf.py: the name is resolved once, and the
connection goes to that checked address with the name in the Host header and TLS SNI (no second lookup to
rebind). No redirects are followed (a 3xx is a failed attempt), timeouts are short and the answer's body is read
only up to a small cap."""
import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks import Webhook as Signer

from mentorship.webhooks import ssrf

CONNECT_TIMEOUT_SECONDS = 3
TOTAL_TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 16 * 1024
USER_AGENT = "Mentorship-Webhooks/1"


@dataclass
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def headers_for(secret, msg_id, body, now=None):
    """The Standard Webhooks headers for `body`, signed with the standardwebhooks package."""
    timestamp = now or datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": Signer(secret).sign(msg_id, timestamp, body)}


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a given address, verifying the certificate for the URL's host name (SNI)."""

    def __init__(self, address, host, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), timeout=CONNECT_TIMEOUT_SECONDS)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address, host, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), timeout=CONNECT_TIMEOUT_SECONDS)
        self.sock.settimeout(self.timeout)


def post(url, body, headers, allow_private=False):
    """POST `body` (str) to `url`; an Outcome, never an exception (a refused address is a failed attempt)."""
    started = time.monotonic()
    try:
        scheme, host, port = ssrf.split(url)
        address = ssrf.resolve(host, port, allow_private)[0]
    except ssrf.UnsafeUrl as exc:
        return Outcome(None, f"refused: {exc}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(address, host, port, timeout=TOTAL_TIMEOUT_SECONDS)
    # socket timeouts bound each read, not the whole answer (a receiver dribbling bytes would hold the worker):
    # at the deadline the watchdog shuts the socket, which ends whatever read is waiting
    watchdog = threading.Timer(max(TOTAL_TIMEOUT_SECONDS - (time.monotonic() - started), 0), _cut, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body.encode(), headers={
            **headers, "content-type": "application/json", "user-agent": USER_AGENT})
        response = connection.getresponse()
        _read_capped(response, started)
        return Outcome(response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}")
    except (OSError, http.client.HTTPException, TimeoutError, ValueError) as exc:
        if time.monotonic() - started >= TOTAL_TIMEOUT_SECONDS:
            return Outcome(None, f"TimeoutError: no complete answer within {TOTAL_TIMEOUT_SECONDS} s")
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection):
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _read_capped(response, started):
    read = 0
    while read < MAX_RESPONSE_BYTES:
        if time.monotonic() - started > TOTAL_TIMEOUT_SECONDS:
            raise TimeoutError(f"no complete answer within {TOTAL_TIMEOUT_SECONDS} s")
        chunk = response.read1(MAX_RESPONSE_BYTES - read) if hasattr(response, "read1") else b""
        if not chunk:
            return
        read += len(chunk)
