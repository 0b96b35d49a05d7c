"""The guarded fetch for user-supplied URLs (integrations/safe_fetch.py). Addresses come
from a stub resolver (socket.getaddrinfo patched): no test sends traffic to a private
range. The only real connections go to a small HTTP server of the test's own on
127.0.0.1, which is reachable only while GUARDED_FETCH_ALLOWED_NETWORKS allows it."""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations import safe_fetch
from integrations.safe_fetch import FetchError, address_is_public, check_url_shape, guarded_fetch

LOCAL = "127.0.0.1"


class Resolver:
    """getaddrinfo stand-in: host name → list of addresses, recording each lookup."""

    def __init__(self, table):
        self.table = table
        self.lookups: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        try:
            # An address resolves to itself, as with the C resolver (urllib3 "resolves"
            # the pinned address when it connects); only names are recorded.
            answers = [str(ipaddress.ip_address(host))]
        except ValueError:
            answers = None
        if answers is not None:
            return self._rows(answers, port)
        self.lookups.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = self.table[host]
        return self._rows(answers() if callable(answers) else answers, port)

    @staticmethod
    def _rows(answers, port):
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in answers
        ]


@pytest.fixture
def resolve(monkeypatch):
    def install(table):
        resolver = Resolver(table)
        monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", resolver)
        return resolver

    return install


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802  (http.server's name)
        self.seen.append((self.path, self.headers.get("Host")))
        status, headers, body = self.routes.get(self.path, (404, {}, b"secret internal page"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 (free port) with settable routes."""

    class Handler(_Handler):
        routes: dict = {}
        seen: list = []

    httpd = ThreadingHTTPServer((LOCAL, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.handler = Handler
    httpd.port = httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def allow_local(settings):
    settings.GUARDED_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def fetch(url, port, **options):
    options.setdefault("max_bytes", 1024)
    return guarded_fetch(url, allowed_ports=frozenset({port}), **options)


# ---------- which addresses are public ----------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "169.254.10.10",
        "100.64.0.1",  # shared address space (carrier NAT)
        "0.0.0.0",  # noqa: S104  (an address refused, not bound)
        "0.1.2.3",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "192.0.2.10",  # documentation
        "198.18.0.1",  # benchmarking
        "::",
        "::1",
        "fe80::1",  # link-local
        "fec0::1",  # site-local
        "fc00::1",
        "fd00::1",  # unique local
        "fd00:ec2::254",  # AWS metadata over IPv6
        "ff02::1",  # multicast
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused(address, resolve):
    assert not address_is_public(ipaddress.ip_address(address))
    resolve({"feeds.example.org": [address]})
    with pytest.raises(FetchError, match="non-public"):
        guarded_fetch("https://feeds.example.org/cal.ics", max_bytes=1024)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::6810:84e5"])
def test_public_addresses_are_public(address):
    assert address_is_public(ipaddress.ip_address(address))


def test_one_private_address_among_public_ones_is_refused(resolve):
    resolve({"feeds.example.org": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(FetchError, match="non-public"):
        guarded_fetch("https://feeds.example.org/cal.ics", max_bytes=1024)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://feeds.example.org/cal.ics",
        "file:///etc/passwd",
        "gopher://feeds.example.org/",
        "https://user:secret@feeds.example.org/cal.ics",
        "https://feeds.example.org:8443/cal.ics",  # not a default port, not allowed
        "http://localhost/cal.ics",
        "http://api.localhost/cal.ics",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/latest/",
        "http://printer.local/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
        "http://127.1/",
        "http://",
        "https://[not-an-address/",
    ],
)
def test_urls_refused_without_any_lookup(url, resolve):
    resolver = resolve({})
    with pytest.raises(FetchError):
        check_url_shape(url)
    with pytest.raises(FetchError):
        guarded_fetch(url, max_bytes=1024)
    assert resolver.lookups == []


def test_an_unresolvable_name_is_a_fetch_error(resolve):
    resolve({})
    with pytest.raises(FetchError, match="could not resolve"):
        guarded_fetch("https://nowhere.example.org/cal.ics", max_bytes=1024)


# ---------- a real peer on 127.0.0.1 ----------


def test_the_local_server_is_refused_unless_the_test_allow_list_names_it(server, resolve):
    resolve({"feeds.example.org": [LOCAL]})
    server.handler.routes["/cal.ics"] = (200, {}, b"BEGIN:VCALENDAR")
    with pytest.raises(FetchError, match="non-public"):
        fetch(f"http://feeds.example.org:{server.port}/cal.ics", server.port)
    assert server.handler.seen == []


def test_a_fetch_connects_to_the_checked_address_with_the_original_host(
    server, resolve, allow_local
):
    server.handler.routes["/cal.ics?key=1"] = (
        200,
        {"Content-Type": "text/calendar"},
        b"BEGIN:VCALENDAR",
    )
    resolve({"feeds.example.org": [LOCAL]})
    response = fetch(f"http://feeds.example.org:{server.port}/cal.ics?key=1", server.port)
    assert (response.status, response.body) == (200, b"BEGIN:VCALENDAR")
    assert response.content_type == "text/calendar"
    assert server.handler.seen == [("/cal.ics?key=1", f"feeds.example.org:{server.port}")]


def test_dns_rebinding_cannot_swap_in_another_address(server, resolve, allow_local):
    """The name is looked up once per hop and the connection goes to that checked
    address: a resolver that would answer differently on a second lookup (as a
    rebinding attacker's DNS does) is never asked again."""
    answers = iter([[LOCAL], ["10.0.0.1"], ["169.254.169.254"]])
    resolver = resolve({"rebind.example.org": lambda: next(answers)})
    server.handler.routes["/"] = (200, {}, b"public answer")
    response = fetch(f"http://rebind.example.org:{server.port}/", server.port)
    assert response.body == b"public answer"
    assert resolver.lookups == ["rebind.example.org"]

    # Checked first as private: refused before any connection.
    resolver = resolve({"rebind.example.org": lambda: next(answers)})
    with pytest.raises(FetchError, match="non-public"):
        fetch(f"http://rebind.example.org:{server.port}/", server.port)
    assert len(server.handler.seen) == 1


def test_a_redirect_to_a_private_address_is_refused(server, resolve, allow_local):
    resolve({"feeds.example.org": [LOCAL], "inside.example.org": ["10.0.0.5"]})
    server.handler.routes["/cal.ics"] = (
        302,
        {"Location": "http://inside.example.org/admin"},
        b"",
    )
    with pytest.raises(FetchError, match="non-public"):
        fetch(f"http://feeds.example.org:{server.port}/cal.ics", server.port)
    server.handler.routes["/meta"] = (
        301,
        {"Location": "http://169.254.169.254/latest/meta-data/"},
        b"",
    )
    with pytest.raises(FetchError, match="non-public"):
        fetch(f"http://feeds.example.org:{server.port}/meta", server.port)


def test_redirects_are_followed_three_times_then_refused(server, resolve, allow_local):
    resolve({"feeds.example.org": [LOCAL]})
    base = f"http://feeds.example.org:{server.port}"
    for hop in range(4):
        server.handler.routes[f"/{hop}"] = (302, {"Location": f"{base}/{hop + 1}"}, b"")
    server.handler.routes["/4"] = (200, {}, b"arrived")
    server.handler.routes["/loop"] = (302, {"Location": "/loop"}, b"")

    assert fetch(f"{base}/1", server.port).body == b"arrived"  # three redirects
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{base}/0", server.port)  # four
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{base}/loop", server.port)


def test_an_oversized_body_is_refused(server, resolve, allow_local):
    resolve({"feeds.example.org": [LOCAL]})
    server.handler.routes["/big"] = (200, {}, b"x" * 5000)
    server.handler.routes["/fits"] = (200, {}, b"x" * 1024)
    with pytest.raises(FetchError, match="larger than 1024 bytes"):
        fetch(f"http://feeds.example.org:{server.port}/big", server.port)
    assert fetch(f"http://feeds.example.org:{server.port}/fits", server.port).body == b"x" * 1024


def test_an_error_status_is_returned_not_followed(server, resolve, allow_local):
    resolve({"feeds.example.org": [LOCAL]})
    response = fetch(f"http://feeds.example.org:{server.port}/missing", server.port)
    assert response.status == 404


def test_a_refused_connection_is_a_fetch_error(resolve, allow_local):
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        closed_port = probe.getsockname()[1]
    resolve({"feeds.example.org": [LOCAL]})
    with pytest.raises(FetchError, match="request failed"):
        fetch(f"http://feeds.example.org:{closed_port}/", closed_port)


# ---------- https: pinned address, original name for SNI and the certificate ----------


def _certificate_authority(tmp_path, host):
    """A throwaway CA and a server certificate for `host` signed by it (PEM files)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test CA"))
        .issuer_name(name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (tmp_path / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server(tmp_path, server, monkeypatch):
    """The local server behind TLS with a certificate for feeds.example.org from a test
    CA that the fetch trusts; records the server name each client asked for (SNI)."""
    import ssl

    ca_file, cert_file, key_file = _certificate_authority(tmp_path, "feeds.example.org")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.sni = []
    context.sni_callback = lambda sock, server_name, ctx: server.sni.append(server_name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setattr(safe_fetch.certifi, "where", lambda: str(ca_file))
    return server


def test_https_connects_to_the_checked_address_and_verifies_the_original_name(
    tls_server, resolve, allow_local
):
    tls_server.handler.routes["/cal.ics"] = (200, {}, b"BEGIN:VCALENDAR")
    resolve({"feeds.example.org": [LOCAL], "other.example.org": [LOCAL]})
    response = fetch(f"https://feeds.example.org:{tls_server.port}/cal.ics", tls_server.port)
    assert response.body == b"BEGIN:VCALENDAR"
    assert tls_server.sni == ["feeds.example.org"]
    assert tls_server.handler.seen == [("/cal.ics", f"feeds.example.org:{tls_server.port}")]

    # The same address under a name the certificate does not cover is refused.
    with pytest.raises(FetchError, match="request failed"):
        fetch(f"https://other.example.org:{tls_server.port}/cal.ics", tls_server.port)
