import threading

import pytest
from django.core.cache import cache

from .feed_server import FeedServer


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.FETCH_TIMEOUT_SECONDS = 2
    settings.INGEST_HOST_DELAY_SECONDS = 0
    cache.clear()
    httpd = FeedServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    cache.clear()
