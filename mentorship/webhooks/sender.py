"""HTTP POSTs of signed webhooks, to addresses checked by ssrf.py: a name is resolved and checked, and the connection
goes to that checked address with the name in the Host header and TLS SNI (no second lookup to rebind). No redirects
are followed (a 3xx is a failed attempt), timeouts are short and the answer's body is read only up to a small cap.

A `Session` (one run of deliveries, e.g. one drain job) keeps a connection per (scheme, host, port) open between
requests (keep-alive), with its checked address: the name is resolved and checked again after KEEPALIVE_SECONDS.
A connection is dropped after any error, a non-2xx answer, or a body left unread. The whole answer is bounded by
TOTAL_TIMEOUT_SECONDS through the socket itself: each read waits at most until the request's deadline, so a
receiver dribbling bytes is cut there without a watchdog thread per request.
"""
import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks import Webhook as Signer

from mentorship.webhooks import ssrf

CONNECT_TIMEOUT_SECONDS = 3
TOTAL_TIMEOUT_SECONDS = 10
KEEPALIVE_SECONDS = 10
MAX_RESPONSE_BYTES = 16 * 1024
USER_AGENT = "Mentorship-Webhooks/1"
# a kept connection the receiver closed meanwhile fails this way before any answer: sent once more on a new one
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.RemoteDisconnected)


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


class _Deadline:
    """A socket whose every read waits at most until `deadline` (time.monotonic()), however the bytes trickle."""

    deadline = None

    def recv_into(self, buffer, *args, **kwargs):
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the answer's deadline passed")
            self.settimeout(remaining)
        return super().recv_into(buffer, *args, **kwargs)


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to a given (checked) address; with `tls`, HTTPS verifying the certificate for the URL's host (SNI)."""

    def __init__(self, address, host, port, tls=False):
        super().__init__(host, port, timeout=TOTAL_TIMEOUT_SECONDS)
        self.address, self.deadline, self.context = address, None, None
        if tls:
            self.context = ssl.create_default_context()
            self.context.sslsocket_class = _DeadlineSSLSocket

    def connect(self):
        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(min(CONNECT_TIMEOUT_SECONDS, self.deadline - time.monotonic()), 0.001))
            sock.connect((self.address, self.port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        sock.deadline = self.deadline
        self.sock = sock

    def arm(self, deadline):
        """Bound this request's connecting, sending and reading by `deadline`."""
        self.deadline = deadline
        if self.sock is not None:
            self.sock.deadline = deadline
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))


class Session:
    """Kept-alive connections for a run of POSTs; `post` never raises. Use as a context manager."""

    def __init__(self, allow_private=False):
        self.allow_private = allow_private
        self.connections = {}  # (scheme, host, port) -> (connection, resolved at)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for connection, _ in self.connections.values():
            connection.close()
        self.connections.clear()

    def _connection(self, scheme, host, port, now):
        key = (scheme, host, port)
        kept = self.connections.get(key)
        if kept is not None and now - kept[1] < KEEPALIVE_SECONDS:
            return key, kept[0]
        self._drop(key)
        address = ssrf.resolve(host, port, self.allow_private)[0]  # the SSRF check, each time the name is resolved
        connection = _PinnedConnection(address, host, port, tls=scheme == "https")
        self.connections[key] = (connection, now)
        return key, connection

    def _drop(self, key):
        kept = self.connections.pop(key, None)
        if kept is not None:
            kept[0].close()

    def post(self, url, body, headers):
        """POST `body` (str) to `url`; an Outcome (a refused address, an error or a timeout is a failed attempt)."""
        started = time.monotonic()
        deadline = started + TOTAL_TIMEOUT_SECONDS
        try:
            scheme, host, port = ssrf.split(url)
            key, connection = self._connection(scheme, host, port, started)
        except ssrf.UnsafeUrl as exc:
            return Outcome(None, f"refused: {exc}")
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = ("POST", path, body.encode(), {**headers, "content-type": "application/json",
                                                 "user-agent": USER_AGENT})
        reused = connection.sock is not None
        try:
            try:
                status, keep = _exchange(connection, request, deadline)
            except _STALE:
                if not reused:
                    raise
                connection.close()  # kept open too long on the other side: once more, on a new connection
                status, keep = _exchange(connection, request, deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self._drop(key)
            if time.monotonic() >= deadline - 0.05:
                return Outcome(None, f"TimeoutError: no complete answer within {TOTAL_TIMEOUT_SECONDS} s")
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
        if not keep:
            self._drop(key)
        return Outcome(status, None if 200 <= status < 300 else f"HTTP {status}")


def _exchange(connection, request, deadline):
    """(status, whether the connection may carry the next request): the answer read whole, within the cap."""
    connection.arm(deadline)
    method, path, body, headers = request
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    complete = _read_capped(response)
    response.close()
    # a 204 announcing a body (which HTTP forbids, and http.client does not read) would spoil the next answer
    complete = complete and not (response.status == 204 and response.getheader("content-length", "0") != "0")
    # after `Connection: close` http.client opens a new socket for the next request, to the same pinned address
    return response.status, 200 <= response.status < 300 and complete


def _read_capped(response):
    """Read the body up to the cap; whether it was read whole (the connection may then carry another request)."""
    read = 0
    while read < MAX_RESPONSE_BYTES:
        chunk = response.read1(MAX_RESPONSE_BYTES - read)
        if not chunk:
            break
        read += len(chunk)
    return response.isclosed() or response.length == 0


def post(url, body, headers, allow_private=False):
    """One POST on a connection of its own; an Outcome, never an exception."""
    with Session(allow_private) as session:
        return session.post(url, body, headers)
