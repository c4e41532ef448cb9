"""Settings, all read from the environment.

Production is the default: development and test behaviour must be asked for with
PORTAL_ENV. Every variable is described in the README's "Configuration" section.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PORTAL_ENV = os.environ.get("PORTAL_ENV", "production")
if PORTAL_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("PORTAL_ENV must be production, development or test")
PRODUCTION = PORTAL_ENV == "production"
DEVELOPMENT = PORTAL_ENV == "development"
TESTING = PORTAL_ENV == "test"

DEBUG = DEVELOPMENT and env_bool("DEBUG", True)
# Demo accounts, with a password everybody knows, may only ever exist outside production.
DEMO_MODE = not PRODUCTION

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY; "
            "for development run `make run`, which sets PORTAL_ENV=development."
        )
    SECRET_KEY = "development-only-key-never-used-in-production-" + PORTAL_ENV * 4

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The portal's address, for links in e-mail sent by the background worker, where there is no
# request to take it from (e-mail alerts and their one-click unsubscribe, RFC 8058: https).
PORTAL_URL = os.environ.get("PORTAL_URL", "").rstrip("/") or (
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    if DEVELOPMENT
    else next(
        (f"https://{h}" for h in ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")),
        "",
    )
)

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Coventry City Council")
SERVICE_NAME = "Governance Portal"

INSTALLED_APPS = [
    # What every app builds with (forms, record bases, template tags); before the apps.
    "portal_kit",
    "organisation",
    "committees",
    "whistleblowing",
    "organisation.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    # Outermost: fills in the security headers on answers that left early from a layer
    # below (WhiteNoise's static files, a bad host's 400) and keeps signed-in pages uncached.
    "governance_portal.middleware.BaselineHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organisation.middleware.SessionActivityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "organisation.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the header middleware, so its early 413 carries them; it still reads no body.
    "governance_portal.middleware.RequestSizeLimitMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance_portal.urls"
WSGI_APPLICATION = "governance_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance_portal.context_processors.portal",
            ],
            "builtins": ["django.templatetags.static"],
        },
    }
]
if not DEBUG:
    # Compiled templates are kept in memory: rendering is a large part of a page's cost.
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Production needs a PostgreSQL server, for example "
            "postgres://portal:password@db.internal:5432/governance_portal"
        )
    from governance_portal import embedded_db

    DATABASE_URL = embedded_db.start()

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if TESTING else 60),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "The portal runs on PostgreSQL only: DATABASE_URL must be postgres://"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Per-process memory: safe for several app servers only because nothing that must be
    # shared (sessions, login throttling, tasks) is kept in the cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Public pages for anonymous visitors (governance_portal/pagecache.py): keyed on a content
# version that every change advances, so any backend is safe; Redis shares them between
# servers, per-process memory is bounded by MAX_ENTRIES. 0 turns the cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
CACHES["pages"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal-pages",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 2000)},
    }
)

SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30))
SESSION_COOKIE_AGE = int(SESSION_IDLE_TIMEOUT.total_seconds())
#: The pages that open whistleblowing cases (these URL namespaces) end a session idle for
#: longer than this (organisation.middleware.idle_timeout decides).
SENSITIVE_IDLE_TIMEOUT = timedelta(minutes=env_int("SENSITIVE_IDLE_TIMEOUT_MINUTES", 10))
SENSITIVE_URL_NAMESPACES = ("concerns",)
# Activity pushes the expiry on, so the timeout counts from the last activity; the session
# is written at most once a minute for it (organisation.middleware.SessionActivityMiddleware)
# rather than on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "governance_portal.views.csrf_failure"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "organisation.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, finding the account by its address in any spelling and loading the
    # signed-in person's roles with them (one query a request fewer).
    "organisation.backends.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the e-mail address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account whatever the spelling of the address (organisation/accounts.py).
AXES_USERNAME_CALLABLE = "organisation.accounts.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# No record of successful sign-ins with the address and browser they came from: a named
# whistleblower signs in to follow their concern (issue 11), and nothing here needs it.
# Failed attempts are still kept, for the lock-out.
AXES_DISABLE_ACCESS_LOG = True
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

OTP_TOTP_ISSUER = f"{COUNCIL_NAME} Governance Portal"

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 63072000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploads: requests over MAX_REQUEST_BYTES are refused by RequestSizeLimitMiddleware from
# their Content-Length, before Django reads a byte of the body.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve straight from static/ so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
MEDIA_URL = "/media/"

S3_BUCKET = os.environ.get("S3_BUCKET", "")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("S3_REGION") or None,
                "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Background work ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "governance-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:i a"
SHORT_DATE_FORMAT = "j M Y"
FORMAT_MODULE_PATH = ["governance_portal.formats"]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_FAIL_SILENTLY = not DEBUG

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Committees -----------------------------------------------------------------------------
# The approvals a report needs (sign-off categories) before it can go on a published agenda.
COMMITTEE_REQUIRED_SIGN_OFFS = env_list(
    "COMMITTEE_REQUIRED_SIGN_OFFS", ["finance", "legal", "director", "members"]
)

# --- Whistleblowing -------------------------------------------------------------------------
# Concerns, messages and files are sealed with AES-GCM under these keys (whistleblowing/
# sealing.py): "id:base64-of-32-bytes" pairs separated by commas, the first sealing new rows,
# every one opening old rows until `manage.py reseal_concerns` has moved them to the first.
# The pepper keys the Argon2id hash of receipt codes and the daily keyed hash that throttles
# follow-up attempts without keeping addresses. Neither is ever stored in the database: a
# dump alone opens nothing. Production refuses to start without them, as without SECRET_KEY;
# development and tests make their own in .data/whistleblowing-secrets.json.
WHISTLEBLOWING_KEYS = os.environ.get("WHISTLEBLOWING_KEYS", "")
WHISTLEBLOWING_PEPPER = os.environ.get("WHISTLEBLOWING_PEPPER", "")
if PRODUCTION and not (WHISTLEBLOWING_KEYS and WHISTLEBLOWING_PEPPER):
    raise ImproperlyConfigured(
        "WHISTLEBLOWING_KEYS and WHISTLEBLOWING_PEPPER must be set in production: see the "
        "README's Configuration section for how to make them."
    )
WHISTLEBLOWING_SECRETS_FILE = BASE_DIR / ".data" / "whistleblowing-secrets.json"
# Days after closing when a concern's content (answers, messages, notes, files) is erased;
# its dates, ground, status and outcome stay for the register and the annual report.
WHISTLEBLOWING_RETENTION_DAYS = env_int("WHISTLEBLOWING_RETENTION_DAYS", 6 * 365)
WHISTLEBLOWING_MAX_FILE_BYTES = env_int("WHISTLEBLOWING_MAX_FILE_MB", 10) * 1024 * 1024
