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

from resourcecentre.lib.env import env_bool, env_int, env_list, env_str
from resourcecentre.lib.languages import language_name
from resourcecentre.lib.logs import logging_formatters

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
    "resourcecentre.alerts",
    "resourcecentre.opendata",
    "resourcecentre.demo",
    "resourcecentre.api",
    # Only for its static Swagger UI files, so the API docs work offline and under the CSP.
    "ninja",
    "resourcecentre.ops",
    # Two-factor authentication for editors: TOTP devices (django-otp) in the Wagtail admin.
    "django_otp",
    "django_otp.plugins.otp_totp",
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
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Times and logs every request, static files and page-cache hits included.
    "resourcecentre.ops.middleware.RequestMetricsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the session: a cached page for an anonymous reader costs no database query.
    "resourcecentre.ops.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside LocaleMiddleware, to see its 404s: wrong-language section names redirect.
    "resourcecentre.i18n.WrongLanguageRedirectMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "resourcecentre.ops.two_factor.EditorTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "resourcecentre.ops.middleware.RateLimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
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
        {
            # Fails open: with Redis down the site serves uncached (resourcecentre/ops/cache.py).
            "BACKEND": "resourcecentre.ops.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
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

# django-axes counts failed logins first, so a locked-out client is refused before its
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: a username tried from one address is locked after this many failures for
# this many minutes. Locking by username alone would let anyone lock an editor out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Editors must confirm a TOTP code after their password (django-otp; see ops/two_factor.py).
# Off by default so that a newcomer's `make run` admin works at once; `make prod-check` fails
# while it is off.
EDITOR_2FA_REQUIRED = env_bool("EDITOR_2FA_REQUIRED", False)
OTP_TOTP_ISSUER = SITE_NAME

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface languages, each named in itself for the language switcher. Content can be in
# any language of CONTENT_LANGUAGES.
LANGUAGES = [
    (code, language_name(code))
    for code in env_list("LANGUAGES", "en,es,fr,pt,de,zh-hans,ja,ko,ar,ru")
    if code != LANGUAGE_CODE
]
LANGUAGES.insert(0, (LANGUAGE_CODE, language_name(LANGUAGE_CODE)))
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
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
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
    # "json": one object a line for a log collector (production); "text" for a terminal.
    "formatters": logging_formatters(env_str("LOG_FORMAT", "text")),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail logs every edit and publish at INFO; the audit log keeps them in the database.
    "loggers": {"wagtail": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Operations (resourcecentre/ops, docs/operations.md). Anonymous readers get whole pages from
# the cache for this long at most; publishing invalidates the pages it changes at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# What browsers and a CDN may keep (Cache-Control max-age and s-maxage); a CDN cannot be told
# of a publish, so this bounds how stale it serves.
PAGE_BROWSER_CACHE_SECONDS = env_int("PAGE_BROWSER_CACHE_SECONDS", 60)
PAGE_CDN_CACHE_SECONDS = env_int("PAGE_CDN_CACHE_SECONDS", 60)
# /metrics answers a bearer token when set, otherwise only these client addresses.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
# The checks whose failure makes /readyz answer 503 (database, cache, search).
READYZ_REQUIRED = env_list("READYZ_REQUIRED", "database,search")
# A task still RUNNING after this long lost its worker: `requeue_stale_tasks` queues it again.
TASK_STALE_MINUTES = env_int("TASK_STALE_MINUTES", 60)
# Where `backup` writes its archives.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))

# Open data: where the nightly dumps are written (served at /data/<file>) and how many are kept.
OPEN_DATA_DIR = Path(env_str("OPEN_DATA_DIR") or MEDIA_ROOT / "data")
OPEN_DATA_KEEP = env_int("OPEN_DATA_KEEP", 7)

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
    "follow": env_str("RATE_LIMIT_FOLLOW", "20/m"),
    # Search exports (CSV, JSON Lines): each may stream a million rows.
    "export": env_str("RATE_LIMIT_EXPORT", "10/m"),
    # The JSON API without a key, per IP address; a key carries its own rate (ApiKey.rate).
    "api": env_str("RATE_LIMIT_API", "60/m"),
    "login": env_str("RATE_LIMIT_LOGIN", "20/m"),
    "search": env_str("RATE_LIMIT_SEARCH", "120/m"),
    "feeds": env_str("RATE_LIMIT_FEEDS", "120/m"),
}
# Behind a reverse proxy, the header that carries the client's address (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or None
# Login throttling counts by the same address (only a header the proxy overwrites is safe).
AXES_IPWARE_META_PRECEDENCE_ORDER = (RATELIMIT_IP_META_KEY or "REMOTE_ADDR",)
# A cache outage must not take the site down with it: count nothing while the cache is away.
RATELIMIT_FAIL_OPEN = True

# E-mail alerts and the Weekly Update
# Days a confirmation link works; minutes an "immediate" digest gathers news for.
ALERTS_CONFIRM_DAYS = env_int("ALERTS_CONFIRM_DAYS", 7)
# Confirmation e-mails one address may receive per hour, whoever fills in the form.
ALERTS_CONFIRMATIONS_PER_HOUR = env_int("ALERTS_CONFIRMATIONS_PER_HOUR", 5)
ALERTS_IMMEDIATE_MINUTES = env_int("ALERTS_IMMEDIATE_MINUTES", 5)
# Messages sent over one SMTP connection; seconds after which a sender that claimed messages
# and did not finish them is taken for dead and its messages are sent by another.
ALERTS_BATCH_SIZE = env_int("ALERTS_BATCH_SIZE", 200)
ALERTS_CLAIM_TIMEOUT_SECONDS = env_int("ALERTS_CLAIM_TIMEOUT_SECONDS", 600)
# Attempts at a message the mail server refuses for a while, the first retry after this many seconds.
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", 5)
ALERTS_RETRY_SECONDS = env_int("ALERTS_RETRY_SECONDS", 300)
# The shared secret of the bounce and complaint webhook; empty turns the webhook off.
ALERTS_WEBHOOK_SECRET = env_str("ALERTS_WEBHOOK_SECRET")
