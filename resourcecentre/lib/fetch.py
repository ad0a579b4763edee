"""Fetching a page from the web within limits, refusing private addresses (no Django).

Used when an editor pastes a URL, and by the feed monitor. Redirects are followed by hand so
that every hop is checked, since a public URL may redirect to an internal one.
"""

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

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
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"The host “{parts.hostname}” is on a private network.")


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
