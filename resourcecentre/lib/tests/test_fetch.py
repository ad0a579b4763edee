"""Fetching from a local HTTP server, with DNS answers faked so no name leaves the machine."""

import http.server
import socket
import threading

import pytest

from resourcecentre.lib.fetch import FetchError, fetch

PUBLIC_ADDRESS = "93.184.216.34"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.paths.append(self.path)
        if self.path.startswith("/redirect?to="):
            self.answer(302, headers={"Location": self.path.removeprefix("/redirect?to=")})
        else:
            self.answer(
                200, b"the secret", headers={"ETag": '"v1"', "X-User-Agent": self.headers["User-Agent"]}
            )

    def answer(self, status: int, body: bytes = b"", *, headers: dict[str, str]):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A server on 127.0.0.1 that records the path of every request it is sent."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """A DNS server for `rebind.example` that answers a public address once, then 127.0.0.1."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter([PUBLIC_ADDRESS])

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_name_that_rebinds_to_a_private_address_after_the_check_is_refused_before_asking(
    server, rebinding_dns, scheme
):
    port = server.server_address[1]
    # For https the refusal must come before the TLS handshake, whose failure would read differently.
    with pytest.raises(FetchError, match="The host “rebind.example” is on a private network."):
        fetch(f"{scheme}://rebind.example:{port}/secret", timeout=2, max_bytes=1024)
    assert server.paths == []


def test_a_redirect_to_a_name_that_rebinds_is_refused_before_asking(server, rebinding_dns):
    port = server.server_address[1]
    with pytest.raises(FetchError, match="The host “rebind.example” is on a private network."):
        fetch(
            f"http://127.0.0.1:{port}/redirect?to=http://rebind.example:{port}/secret",
            timeout=2,
            max_bytes=1024,
            allow_private_hosts={"127.0.0.1"},
        )
    assert server.paths == [f"/redirect?to=http://rebind.example:{port}/secret"]


def test_a_private_address_is_refused_without_the_allow_list(server):
    with pytest.raises(FetchError, match="The host “127.0.0.1” is on a private network."):
        fetch(f"http://127.0.0.1:{server.server_address[1]}/secret", timeout=2, max_bytes=1024)
    assert server.paths == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_host_on_the_allow_list_is_fetched_with_our_headers(server, host):
    port = server.server_address[1]
    fetched = fetch(
        f"http://{host}:{port}/redirect?to=/page",
        timeout=2,
        max_bytes=1024,
        allow_private_hosts={host},
        headers={"If-None-Match": '"v0"'},
    )
    assert fetched.body == b"the secret"
    assert fetched.url == f"http://{host}:{port}/page"
    assert fetched.redirects == ((302, f"http://{host}:{port}/page"),)
    assert fetched.encoding == "utf-8"
    assert fetched.headers["etag"] == '"v1"'
    assert fetched.headers["X-User-Agent"].startswith("ResourceCentreBot/")
    assert server.paths == ["/redirect?to=/page", "/page"]
