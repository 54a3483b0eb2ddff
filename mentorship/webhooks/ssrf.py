"""Where a webhook may point: the one home of the SSRF rule, checked at registration and again at delivery.

A URL is refused when its host is, or resolves to, an address that is not public: loopback, private (10/8,
172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata address, fe80::/10), multicast,
reserved, unspecified, shared (100.64/10) — anything `ipaddress` does not call global — and `localhost`.
Delivery resolves the name once, checks every address, and connects to a checked one (sender.py), so a DNS answer
that changes between the check and the connection (rebinding) cannot steer the request. WEBHOOK_ALLOW_PRIVATE
lifts the address rule (development, tests); the scheme rule stays.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

SCHEMES = ("http", "https")


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why (shown to the client at registration)."""


def _address_problem(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (such as the cloud metadata service)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a private or reserved address"
    return None


def split(url):
    """(scheme, host, port) of an http(s) URL; raises UnsafeUrl for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"Not a valid URL: {exc}.") from exc
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise UnsafeUrl("The URL must be http:// or https:// with a host.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host, port, allow_private=False):
    """The addresses to connect to for `host`, each checked; raises UnsafeUrl if any one of them is refused."""
    name = host.rstrip(".").lower()
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise UnsafeUrl(f"{host} is the local machine; webhooks must point at a public address.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"{host} does not resolve ({exc}).") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeUrl(f"{host} does not resolve.")
    if not allow_private:
        for address in addresses:
            problem = _address_problem(address)
            if problem:
                raise UnsafeUrl(f"{host} is or resolves to {problem} ({address}); webhooks must point at a "
                                "public address.")
    return addresses


def check(url, allow_private=False):
    """Registration: raises UnsafeUrl unless `url` is http(s) and its host is and resolves to public addresses."""
    _scheme, host, port = split(url)
    if not allow_private:  # allowed anywhere, an unresolvable name is only a failed delivery
        resolve(host, port)
