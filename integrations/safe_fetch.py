"""One guarded HTTP fetch for every URL a user gives us (external iCal calendars now,
outgoing webhooks later), so that nobody can point our servers at our own network or
the cloud's metadata service (SSRF). docs/decisions/0020 has the reasoning.

What guarded_fetch does, on every hop:
- accepts http and https only, on the default ports (or `allowed_ports`), no user:pass;
- refuses host names that only mean something inside a network (localhost, *.internal,
  *.local, the cloud metadata names);
- resolves the name once (socket.getaddrinfo) and refuses if ANY address it gets back is
  not a public unicast address (loopback, private, shared 100.64/10, link-local with
  169.254.169.254, multicast, reserved, unspecified, documentation, IPv6 unique-local and
  site-local, and IPv4 addresses hidden inside IPv6: mapped, 6to4, Teredo, NAT64);
- connects to the address it checked, not to the name (urllib3 pool on the IP, with the
  original Host header and TLS server name and certificate check), so a second DNS answer
  cannot swap in a private address between the check and the connection (DNS rebinding);
- follows at most `max_redirects` redirects itself, checking each new URL the same way;
- stops reading past `max_bytes` and past `timeout_seconds` in total.

Every refusal or failure raises FetchError. Its message is for our logs; callers show the
person a fixed sentence of their own and never the response's bytes.

Tests may allow a local peer through the Django setting GUARDED_FETCH_ALLOWED_NETWORKS
(CIDR strings; unset, and never set from the environment, everywhere else)."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = "Aeyia fetcher (+https://aeyia.com)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges is_global lets through on some Python versions, or that are not ours to reach.
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_BLOCKED_NAMES = {"localhost", "metadata", "metadata.google.internal", "instance-data"}
_BLOCKED_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


class FetchError(Exception):
    """The URL was refused or could not be fetched. The message is for logs only."""


@dataclass(frozen=True, slots=True)
class FetchedResponse:
    url: str
    status: int
    content_type: str
    body: bytes


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    """Whether `address` is a public unicast address we may connect to for a user."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None and not address_is_public(inner):
            return False
    if any(address in network for network in _BLOCKED_NETWORKS):
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_link_local
        and not address.is_loopback
        and not address.is_private
    )


def _allowed_for_tests(address: IPAddress) -> bool:
    networks = getattr(settings, "GUARDED_FETCH_ALLOWED_NETWORKS", ())
    return any(address in ipaddress.ip_network(cidr) for cidr in networks)


def _allowed(address: IPAddress) -> bool:
    return address_is_public(address) or _allowed_for_tests(address)


def _address_literal(host: str) -> IPAddress | None:
    """The address a host written as one denotes, including the old numeric IPv4 forms
    the C resolver accepts ("2130706433", "0x7f.1", "127.1")."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def check_url_shape(
    url: str, *, allowed_ports: frozenset[int] | None = None
) -> tuple[str, str, int, str]:
    """The checks that need no DNS: scheme, credentials, port, internal names, and an
    address written as the host. Returns (scheme, host, port, path); raises FetchError.
    Forms call it to refuse a plainly internal URL at once; guarded_fetch calls it and
    then checks what the name resolves to."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(f"unparseable URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError(f"scheme {scheme!r} refused")
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials in the URL refused")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchError("no host")
    if host in _BLOCKED_NAMES or host.endswith(_BLOCKED_SUFFIXES):
        raise FetchError(f"internal host name {host!r} refused")
    literal = _address_literal(host)
    if literal is not None and not _allowed(literal):
        raise FetchError(f"non-public address {literal} refused")
    port = DEFAULT_PORTS[scheme] if port is None else port
    if port != DEFAULT_PORTS[scheme] and (allowed_ports is None or port not in allowed_ports):
        raise FetchError(f"port {port} refused")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


@dataclass(frozen=True, slots=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _check_url(url: str, *, allowed_ports: frozenset[int] | None) -> _Target:
    """Refuses a URL we must not fetch and returns where to connect: the first of the
    host's addresses, every one of which has been checked."""
    scheme, host, port, path = check_url_shape(url, allowed_ports=allowed_ports)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"could not resolve {host!r}: {error}") from error
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        try:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError as error:
            raise FetchError(f"unreadable address for {host!r}") from error
        if not _allowed(address):
            raise FetchError(f"{host!r} resolves to a non-public address {address}")
        addresses.append(address)
    if not addresses:
        raise FetchError(f"no address for {host!r}")
    return _Target(scheme=scheme, host=host, port=port, address=str(addresses[0]), path=path)


def _pool(target: _Target, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        target.address, target.port, timeout=timeout, retries=False, maxsize=1
    )


def _host_header(target: _Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != DEFAULT_PORTS[target.scheme]:
        host += f":{target.port}"
    return host


def guarded_fetch(
    url: str,
    *,
    max_bytes: int,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    connect_timeout: float = 5,
    timeout_seconds: float = 20,
    max_redirects: int = 3,
    allowed_ports: frozenset[int] | None = None,
) -> FetchedResponse:
    """Fetches a user-supplied URL with the checks in the module docstring. Redirects
    are followed (as GET) only for GET; any other method gets the redirect back as
    its response. Raises FetchError for a refused URL, a failure, too many redirects,
    a body over `max_bytes` or a fetch over `timeout_seconds`."""
    deadline = time.monotonic() + timeout_seconds
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    for _hop in range(max_redirects + 1):
        target = _check_url(url, allowed_ports=allowed_ports)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timed out")
        timeout = urllib3.Timeout(connect=min(connect_timeout, remaining), read=remaining)
        pool = _pool(target, timeout)
        try:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers={**sent_headers, "Host": _host_header(target)},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                if response.status in _REDIRECTS and method == "GET":
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError("redirect without a location")
                    url = urljoin(url, location)
                    continue
                content = bytearray()
                for chunk in response.stream(_CHUNK, decode_content=True):
                    content.extend(chunk)
                    if len(content) > max_bytes:
                        raise FetchError(f"body larger than {max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError("timed out")
                return FetchedResponse(
                    url=url,
                    status=response.status,
                    content_type=response.headers.get("Content-Type", ""),
                    body=bytes(content),
                )
            finally:
                response.release_conn()
                response.close()
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(f"request failed: {error.__class__.__name__}") from error
        except OSError as error:
            raise FetchError(f"request failed: {error.__class__.__name__}") from error
        finally:
            pool.close()
    raise FetchError(f"more than {max_redirects} redirects")
