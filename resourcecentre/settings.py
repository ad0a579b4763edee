"""Settings for Resource Centre, read from the environment.

Every variable has a safe embedded default (SQLite under var/, in-process cache, the
database task queue, console e-mail) so that a fresh checkout runs with no configuration.
`.env.example` lists every variable; a test keeps that list and this file in step.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from resourcecentre.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR / "resourcecentre"
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY variable, or a random key kept in var/ so sessions survive restarts."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Resource Centre")

INSTALLED_APPS = [
    "resourcecentre.taxonomy",
    "resourcecentre.companies",
    "resourcecentre.responses",
    "resourcecentre.ingest",
    "resourcecentre.news",
    "resourcecentre.site_messages",
    "resourcecentre.feeds",
    "resourcecentre.search",
    "resourcecentre.demo",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "resourcecentre.urls"
WSGI_APPLICATION = "resourcecentre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resourcecentre.context_processors.site",
                "resourcecentre.site_messages.context_processors.site_message",
            ],
            "builtins": ["resourcecentre.templatetags.rc", "wagtail.templatetags.wagtailcore_tags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; IMMEDIATE transactions
    # take the write lock up front so concurrent writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a task worker started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Rendered components are cached (about 2 KB each): room for a busy archive.
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
    )
}

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Resource Centre <no-reply@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface languages. Content can be in any language of CONTENT_LANGUAGES.
LANGUAGES = [("en", _("English"))]
CONTENT_LANGUAGES = env_list(
    "CONTENT_LANGUAGES", "en,es,fr,pt,de,zh-hans,ja,ko,ar,ru,it,nl,tr,id,vi,th,hi,bn,sw,my"
)
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Files nobody may download without logging in (response attachments before publication).
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)

# Security. Production turns on the HTTPS-only settings through the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Public pages carry no inline script or style. The Wagtail admin needs inline styles of
# its own, so it keeps Django's defaults and sits behind login instead.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "resourcecentre.search.admin_backend"}}
WAGTAILDOCS_EXTENSIONS = ["pdf"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Outgoing fetches (an editor pasting a URL, later the feed monitor).
FETCH_TIMEOUT_SECONDS = env_int("FETCH_TIMEOUT_SECONDS", 10)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 5 * 1024 * 1024)
# Hosts that may resolve to private addresses; empty in production, set by local tests.
FETCH_ALLOW_PRIVATE_HOSTS = env_list("FETCH_ALLOW_PRIVATE_HOSTS")

# Automated monitoring: the most entries read from one feed per pass, and the least time
# between two requests to one host (politeness).
INGEST_MAX_ENTRIES = env_int("INGEST_MAX_ENTRIES", 1000)
INGEST_HOST_DELAY_SECONDS = env_int("INGEST_HOST_DELAY_SECONDS", 2)
# Entries committed together: a worker killed mid-pass loses at most this many, which the
# next pass fetches again (the feed's validators are saved last). One commit per entry made
# committing a sixth of the pipeline's time.
INGEST_BATCH_ENTRIES = env_int("INGEST_BATCH_ENTRIES", 100)

# The embedded full-text index (tantivy); each web host keeps its own copy.
SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(VAR_DIR / "search")))
# How long the index change log is kept: a host whose index is older must rebuild it.
SEARCH_CHANGE_LOG_DAYS = env_int("SEARCH_CHANGE_LOG_DAYS", 7)

STORY_COMPONENTS_PER_PAGE = env_int("STORY_COMPONENTS_PER_PAGE", 50)
LISTING_PAGE_SIZE = env_int("LISTING_PAGE_SIZE", 20)
FEED_ITEMS = env_int("FEED_ITEMS", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail logs every edit and publish at INFO; the audit log keeps them in the database.
    "loggers": {"wagtail": {"level": "WARNING"}},
}

# The company response mechanism
RESPONSE_DEADLINE_DAYS = env_int("RESPONSE_DEADLINE_DAYS", 7)
# Days the company's link keeps working after the deadline, for late answers.
RESPONSE_GRACE_DAYS = env_int("RESPONSE_GRACE_DAYS", 3)
# Days before the deadline that a reminder goes to companies that have not answered.
RESPONSE_REMINDER_DAYS = env_int("RESPONSE_REMINDER_DAYS", 2)
RESPONSE_ATTACHMENT_MAX_BYTES = env_int("RESPONSE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# Requests per client (IP address, or API key where one is given) on public endpoints, as
# "<count>/<s|m|h|d>"; over the limit the answer is 429 with Retry-After. See ratelimits.py.
RATE_LIMITS = {
    "respond": env_str("RATE_LIMIT_RESPOND", "30/m"),
}
# Behind a reverse proxy, the header that carries the client's address (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or None
# A cache outage must not take the site down with it: count nothing while the cache is away.
RATELIMIT_FAIL_OPEN = True
