"""A real HTTP receiver on loopback for webhook tests, and a verifier of Standard Webhooks signatures written with
the standard library only (hmac, hashlib, base64), independent of the `standardwebhooks` package the service signs
with."""
import base64
import hashlib
import hmac
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify_stdlib(secret, headers, body):
    """Raise AssertionError unless `body` (bytes) carries a valid v1 signature of `secret` in `headers`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) <= TOLERANCE_SECONDS, "timestamp outside the tolerance"
    expected = "v1," + base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body,
                                                 hashlib.sha256).digest()).decode()
    signatures = headers["webhook-signature"].split(" ")
    assert any(hmac.compare_digest(expected, signature) for signature in signatures), "no matching signature"


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes
    answered: int | None = None


@dataclass
class Receiver:
    """Answers `answer(request, previous requests with its webhook-id)` (a status code); by default 500 to the first
    attempt of each webhook-id and 204 to the later ones. `hang_first` holds the first request open until
    `release` is set (its sender is killed meanwhile)."""
    url: str = ""
    requests: list = field(default_factory=list)
    hang_first: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: int = 0  # TCP connections accepted

    def answer(self, request, earlier):
        return 500 if not earlier else 204

    def by_id(self):
        grouped = {}
        for request in self.requests:
            grouped.setdefault(request.headers["webhook-id"], []).append(request)
        return grouped

    def handle(self, request):
        with self.lock:
            earlier = [r for r in self.requests if r.headers.get("webhook-id") == request.headers.get("webhook-id")]
            first = not self.requests
            self.requests.append(request)
        if first and self.hang_first:
            self.entered.set()
            self.release.wait(60)
            return None
        request.answered = self.answer(request, earlier)
        return request.answered


@contextmanager
def receiving(receiver=None, path="/hooks/in", keep_alive=False):
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, in a thread, serving `receiver`; HTTP/1.1 connections
    kept open between requests with `keep_alive` (else HTTP/1.0: one request per connection)."""
    receiver = receiver or Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def setup(self):
            super().setup()
            with receiver.lock:
                receiver.connections += 1

        def do_POST(self):  # noqa: N802  (http.server's hook name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = receiver.handle(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if status is None:
                self.close_connection = True
                return
            self.send_response(status)
            body = b"" if status == 204 else b"ok"  # a 204 has no body
            if body:
                self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
