"""Issue 14, acceptance 2: webhooks never reach private, loopback, link-local or metadata addresses unless the
deployment allows it — refused at registration (422) and again at delivery, after DNS resolution, connecting to
the address that was checked (a name that resolves elsewhere later cannot steer the request)."""
import json
import socket

import pytest

from mentorship.webhooks import ssrf
from tests.factories import mentee_payload, wait_local_jobs
from tests.webhooks.receiver import receiving

REAL_GETADDRINFO = socket.getaddrinfo
PUBLIC = "93.184.216.34"


class FakeDns:
    """getaddrinfo answering chosen names with chosen addresses (everything else as the system does)."""

    def __init__(self):
        self.names, self.calls = {}, []

    def __call__(self, host, port, *args, **kwargs):
        if host in self.names:
            self.calls.append(host)
            family = socket.AF_INET6 if ":" in self.names[host][0] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port or 0)) for address in self.names[host]]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def strict(app, monkeypatch):
    """As deployed: private addresses not allowed (TestConfig allows them)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)


REFUSED = [
    "http://127.0.0.1/", "http://127.0.0.1:8080/hook", "http://10.0.0.5/", "https://10.0.0.5/hook",
    "http://169.254.169.254/latest/meta-data/", "http://localhost/", "http://localhost:5000/x", "http://app.localhost/",
    "http://[::1]/", "http://[::1]:8080/", "http://172.16.0.1/", "http://172.31.255.254/", "http://192.168.1.10/",
    "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://2130706433/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_addresses_are_refused_at_registration(admin, strict, url):
    r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
    assert r.status_code == 422, (url, r.status_code, r.json)
    assert r.json["code"] == "validation_error" and r.json["errors"]["url"]
    assert "public address" in r.json["detail"] or "resolve" in r.json["detail"], r.json["detail"]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http:///x",
                                 "http://[::1/"])
def test_only_http_and_https_urls(admin, url):
    r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
    assert r.status_code == 422 and r.json["code"] == "validation_error", (url, r.json)


@pytest.mark.parametrize("addresses", [["10.1.2.3"], ["192.168.0.7"], ["169.254.169.254"], ["::1"],
                                       [PUBLIC, "127.0.0.1"]])
def test_a_name_resolving_to_a_private_address_is_refused(admin, strict, dns, addresses):
    dns.names["internal.example.com"] = addresses
    r = admin.post("/api/v1/webhooks", json={"url": "https://internal.example.com/hook", "events": ["*"]})
    assert r.status_code == 422 and "internal.example.com" in r.json["detail"], r.json
    assert admin.get("/api/v1/webhooks").json["total"] == 0


def test_a_public_name_is_accepted(admin, strict, dns):
    dns.names["hooks.example.com"] = [PUBLIC]
    r = admin.post("/api/v1/webhooks", json={"url": "https://hooks.example.com/in", "events": ["member.created"]})
    assert r.status_code == 201, r.json


def test_refused_at_delivery_once_the_name_resolves_to_a_private_address(app, admin, strict, dns):
    with receiving() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        dns.names["rebind.example.com"] = [PUBLIC]
        hook = admin.post("/api/v1/webhooks", json={"url": f"http://rebind.example.com:{port}/hooks/in",
                                                    "events": ["member.created"]}).json
        dns.names["rebind.example.com"] = ["127.0.0.1"]  # the receiver's address: reachable, and refused
        assert admin.post("/api/v1/members", json=mentee_payload()).status_code == 201
        wait_local_jobs(app)
        assert receiver.requests == []
        (delivery,) = admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json["items"]
        assert delivery["status"] == "pending" and delivery["attempts"] == 1
        assert delivery["last_status_code"] is None and delivery["last_error"].startswith("refused:")
        assert "loopback" in delivery["last_error"]


def test_delivery_connects_to_the_address_it_checked_with_the_name_as_host(app, admin, dns):
    """Resolved once per attempt: the connection goes to that address (no second lookup to rebind), the Host header
    names the URL's host."""
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 200
        port = receiver.url.split(":")[2].split("/")[0]
        dns.names["hooks.test"] = ["127.0.0.1"]
        admin.post("/api/v1/webhooks", json={"url": f"http://hooks.test:{port}/hooks/in?x=1", "events": ["*"]})
        dns.calls.clear()
        assert admin.post("/api/v1/members", json=mentee_payload()).status_code == 201
        wait_local_jobs(app)
        (request,) = receiver.requests
        assert request.headers["host"] == f"hooks.test:{port}" and request.path == "/hooks/in?x=1"
        assert dns.calls == ["hooks.test"]
        assert json.loads(request.body)["type"] == "member.created"


def test_redirects_are_not_followed(app, admin):
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 302
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["*"]}).json
        admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)
        (delivery,) = admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json["items"]
        status = delivery["status"], delivery["last_status_code"], delivery["last_error"]
        assert status == ("pending", 302, "HTTP 302")
        assert len(receiver.requests) == 1


def test_the_rule_itself():
    assert ssrf.split("https://a.example.com/x?y") == ("https", "a.example.com", 443)
    with pytest.raises(ssrf.UnsafeUrl):
        ssrf.resolve("127.0.0.1", 80)
    assert ssrf.resolve("127.0.0.1", 80, allow_private=True) == ["127.0.0.1"]


def test_a_receiver_dribbling_its_answer_is_cut_at_the_total_timeout(monkeypatch):
    """Each read is bounded by the socket timeout; the whole answer by TOTAL_TIMEOUT_SECONDS."""
    import threading
    import time

    from mentorship.webhooks import sender

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def dribble():
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.3):  # one header byte at a time, never the end of the headers
            try:
                conn.sendall(b"X")
            except OSError:
                break
        conn.close()

    threading.Thread(target=dribble, daemon=True).start()
    monkeypatch.setattr(sender, "TOTAL_TIMEOUT_SECONDS", 1.5)
    started = time.monotonic()
    outcome = sender.post(f"http://127.0.0.1:{server.getsockname()[1]}/", "{}", {}, allow_private=True)
    stop.set()
    server.close()
    assert not outcome.ok and "within 1.5 s" in outcome.error, outcome
    assert time.monotonic() - started < 3
