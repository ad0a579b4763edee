"""A local HTTP server for the ingest tests: serves the files in feeds/, or a route's handler."""

import http.server
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FEEDS = Path(__file__).parent / "feeds"
CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
}


@dataclass
class Request:
    path: str
    headers: dict
    at: float


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.requests.append(Request(self.path, dict(self.headers), time.monotonic()))
        path = urlsplit(self.path).path
        if path in self.server.routes:
            self.server.routes[path](self)
        elif path == "/robots.txt":
            if self.server.robots is None:
                self.answer(404, b"Not found")
            else:
                self.answer(200, self.server.robots.encode(), content_type="text/plain")
        elif (FEEDS / path.lstrip("/")).is_file():
            file = FEEDS / path.lstrip("/")
            self.answer(200, file.read_bytes(), content_type=CONTENT_TYPES.get(file.suffix, "text/xml"))
        else:
            self.answer(404, b"Not found")

    def answer(self, status: int, body: bytes = b"", *, content_type: str = "text/plain", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[Request] = []
        self.routes: dict = {}
        self.robots: str | None = None
        self.release = threading.Event()  # lets hanging handlers go when the test ends

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (over the size limit, timed out) is what we test
