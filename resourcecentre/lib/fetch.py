"""Fetching a page from the web within limits, refusing private addresses (no Django).

Used when an editor pastes a URL; the feed monitor will reuse it. Redirects are followed by
hand so that every hop is checked, since a public URL may redirect to an internal one.
"""

import ipaddress
import socket
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
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"Only http and https addresses can be fetched, not “{url}”.")
    if parts.hostname in allow_private_hosts:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
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
    """GET `url`, following up to five redirects, reading at most `max_bytes`."""
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
            for chunk in response.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FetchError(f"The page is larger than {max_bytes // 1024} KiB.")
            return Fetched(
                url=url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=bytes(body),
                encoding=response.encoding if "charset" in response.headers.get("Content-Type", "") else None,
            )
    raise FetchError("The page redirects too many times.")
