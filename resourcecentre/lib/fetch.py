"""Fetching a page from the web within limits, refusing private addresses (no Django).

Used when an editor pastes a URL; the feed monitor will reuse it. Redirects are followed by
hand so that every hop is checked, since a public URL may redirect to an internal one.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

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
    so a server that trickles bytes cannot hold the caller.
    """
    deadline = time.monotonic() + 3 * timeout
    session = requests.Session()
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    for _ in range(MAX_REDIRECTS + 1):
        _check_host(url, set(allow_private_hosts))
        try:
            response = session.get(
                url, headers=request_headers, timeout=timeout, stream=True, allow_redirects=False
            )
        except requests.RequestException as error:
            raise FetchError(f"The page could not be fetched: {error.__class__.__name__}.") from error
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(f"The page is larger than {max_bytes // 1024} KiB.")
                    if time.monotonic() > deadline:
                        raise FetchError("The site sent the page too slowly.")
            except requests.RequestException as error:
                raise FetchError(f"The page could not be read: {error.__class__.__name__}.") from error
            return Fetched(
                url=url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=bytes(body),
                encoding=response.encoding if "charset" in response.headers.get("Content-Type", "") else None,
            )
    raise FetchError("The page redirects too many times.")
