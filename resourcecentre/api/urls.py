"""The API's URLs, each view wrapped by `http.public_api` (keys, rate limits, CORS, ETags)."""

from .api import api
from .http import public_api

_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = public_api(_pattern.callback)

# For `path("api/v1/", urls)`, in the shape `include()` returns.
urls = (_patterns, _app_name, _namespace)
