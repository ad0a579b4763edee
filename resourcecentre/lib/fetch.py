"""Fetching a page from the web within limits, refusing private addresses (no Django).

Used when an editor pastes a URL, and by the feed monitor. Redirects are followed by hand so
that every hop is checked, since a public URL may redirect to an internal one.

A host is checked twice: its name is resolved before asking (a clear message for the editor),
and the address each connection actually reached is checked before a byte is sent over it.
The second check defeats DNS rebinding, where a hostile name server answers a public address
to the first lookup and 127.0.0.1 or 169.254.169.254 to the one made when connecting. It is
done on the socket, below TLS, so the certificate is still checked against the host name. A
proxy configured in the environment is trusted to make its own connections.
"""

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection

USER_AGENT = "ResourceCentreBot/1.0 (+https://github.com/resource-centre)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A fetch that could not be done; the message is fit to show an editor."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None
    # The final response's headers (ETag, Last-Modified, ...); names are case-insensitive.
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Each redirect followed, in order: its status (301, 302, 307, 308) and where it led.
    redirects: tuple[tuple[int, str], ...] = ()


def _check_host(url: str, allow_private_hosts: set[str]) -> None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as error:
        raise FetchError(f"“{url}” has an impossible port number.") from error
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"Only http and https addresses can be fetched, not “{url}”.")
    if parts.hostname in allow_private_hosts:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FetchError(f"The host “{parts.hostname}” could not be found.") from error
    if not all(_is_public(info[4][0]) for info in infos):
        raise FetchError(f"The host “{parts.hostname}” is on a private network.")


def _is_public(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


def _refuse_private_peer(sock: socket.socket, host: str) -> socket.socket:
    if not _is_public(sock.getpeername()[0]):
        sock.close()
        raise FetchError(f"The host “{host}” is on a private network.")
    return sock


class _PublicHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _refuse_private_peer(super()._new_conn(), self.host)


class _PublicHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _refuse_private_peer(super()._new_conn(), self.host)


class _PublicPoolManager(urllib3.PoolManager):
    """Gives every host outside the allow-list connections that refuse a private peer."""

    def __init__(self, allow_private_hosts: frozenset[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_private_hosts = allow_private_hosts

    def _new_pool(
        self, scheme: str, host: str, port: int, request_context: dict[str, Any] | None = None
    ) -> urllib3.HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        # pool.host is normalised as urlsplit's hostname is: lower case, IPv6 without brackets.
        if pool.host not in self.allow_private_hosts:
            pool.ConnectionCls = _PublicHTTPSConnection if scheme == "https" else _PublicHTTPConnection
        return pool


class _PublicAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, allow_private_hosts: frozenset[str]) -> None:
        self.allow_private_hosts = allow_private_hosts  # before super(), which makes the pool manager
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **kwargs)
        self.poolmanager = _PublicPoolManager(
            self.allow_private_hosts, num_pools=connections, maxsize=maxsize, block=block, **kwargs
        )


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    allow_private_hosts: set[str] | frozenset[str] = frozenset(),
    headers: dict[str, str] | None = None,
) -> Fetched:
    """GET `url`, following up to five redirects, reading at most `max_bytes`.

    `timeout` bounds each connection and read, and the whole fetch may take three times it,
    so a server that trickles bytes cannot hold the caller. `headers` are sent with every hop
    (If-None-Match and If-Modified-Since make a conditional request: a 304 answer comes back
    as a Fetched with that status and an empty body).
    """
    deadline = time.monotonic() + 3 * timeout
    session = requests.Session()
    adapter = _PublicAdapter(frozenset(allow_private_hosts))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    redirects: list[tuple[int, str]] = []
    for _ in range(MAX_REDIRECTS + 1):
        _check_host(url, set(allow_private_hosts))
        try:
            response = session.get(
                url, headers=request_headers, timeout=timeout, stream=True, allow_redirects=False
            )
        except requests.RequestException as error:
            raise FetchError(_describe(error, timeout, "fetched")) from error
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                redirects.append((response.status_code, url))
                continue
            declared_length = response.headers.get("Content-Length", "")
            if declared_length.isdigit() and int(declared_length) > max_bytes:
                raise FetchError(f"The page is larger than {max_bytes // 1024} KiB.")
            body = bytearray()
            try:
                # read1 returns whatever has arrived, so the deadline is checked even while a
                # server trickles a byte at a time.
                while chunk := response.raw.read1(64 * 1024, decode_content=True):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(f"The page is larger than {max_bytes // 1024} KiB.")
                    if time.monotonic() > deadline:
                        raise FetchError("The site sent the page too slowly.")
            except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
                raise FetchError(_describe(error, timeout, "read")) from error
            return Fetched(
                url=url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=bytes(body),
                encoding=response.encoding if "charset" in response.headers.get("Content-Type", "") else None,
                headers=response.headers.copy(),
                redirects=tuple(redirects),
            )
    raise FetchError("The page redirects too many times.")


def _describe(error: Exception, timeout: float, done: str) -> str:
    if isinstance(error, requests.Timeout | urllib3.exceptions.TimeoutError):
        return f"The site did not answer within {timeout:g} seconds."
    if isinstance(error, requests.exceptions.SSLError):
        return "The site's secure connection could not be verified (a TLS certificate problem)."
    if isinstance(error, requests.ConnectionError):
        return "The site could not be reached: the connection was refused or dropped."
    return f"The page could not be {done}: {error.__class__.__name__}."
