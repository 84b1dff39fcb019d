"""One settings module, read from the environment.

With nothing set it runs the embedded default: SQLite in the project folder, Celery tasks run
in-process, local-memory cache. DATABASE_URL, CELERY_BROKER_URL and REDIS_URL switch to the
production services. With DEBUG off and no SECRET_KEY it refuses to start rather than run with a
known key, except on the embedded default, which keeps a generated key in a git-ignored file.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARTNERSHIPS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_bool("DEBUG")
EMBEDDED = not os.environ.get("DATABASE_URL")


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    # The embedded default keeps a key generated on first run, outside git, so that a fresh
    # clone works without configuration and no key is ever committed.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_countries",
    "csp",
    # The product: the catalogue (models, services, admin), the pages and charts, ingestion.
    "partnerships",
    "dashboard",
    "ingest",
    # What is published for analysts: methodology, releases, feed and webhooks, embeds.
    "publishing",
    # Benchmark tools (the synthetic-data command); no models, nothing a reader sees.
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First, so it sees every response as sent.
    "config.middleware.PageGZipMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every download names the data's licence and when the data last changed.
    "publishing.middleware.DataLicenceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "publishing.context_processors.dataset",
            ],
        },
    },
]

if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # A file, not memory, so the real Celery worker the tests start sees the same rows;
            # one per test process, so concurrent runs do not share it.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    # Give up on an unreachable database within seconds, so that requests get a quick 503
    # (config.middleware) rather than holding every worker until the proxy times out.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    )
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # PostgreSQL's JIT compiles every plan it prices high (a deals search over 200k rows)
        # and spent 0.9 s doing so, more than it saved: short queries run better without it
        # (bench/INDEXES.md). random_page_cost 1.1 (PostgreSQL assumes spinning disks, 4) tells
        # the planner that an index read is cheap on SSD storage: without it the deals page
        # hashes all companies to join 50 rows.
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off -c random_page_cost=1.1")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Logs and falls through to the database when Redis is down (config.cache).
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "partnerships" / "locale", BASE_DIR / "publishing" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = (
    VAR_DIR / "staticfiles"
    if EMBEDDED
    else Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and DEBUG serve straight from the finders, so no collectstatic is needed to run them.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("TESTING")

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    # Token first, so that an anonymous write is told 401 with `WWW-Authenticate: Token`
    # (how to sign in) rather than a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    # The JSON parser answers 400, not 500, to JSON nested too deeply to decode.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Keyed on the client address of config.throttling (X-Forwarded-For only from proxies).
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
}

# How many reverse proxies in front of the app append to X-Forwarded-For; the client address
# is the one the outermost of them saw. 0: the header is ignored (anyone can send it).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
# Failed sign-ins (API token, admin) allowed per address and per account in each window.
SIGN_IN_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_WINDOW_SECONDS", "900"))
SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "20"))
SIGN_IN_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "10"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Korea–China Partnerships API",
    "DESCRIPTION": (
        "Who supplies whom in electric vehicles and batteries between Korea and China: "
        "companies, deals, vehicle models, sources and the sentences they quote."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to swagger.io's online validator: the docs page talks to this site only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Every query parameter described, with an example (api/schema.py); enums as by default.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.describe_parameters",
    ],
    # Several models share a choice set or a field name; one enum name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "partnerships.dates.Precision",
        "DealKindEnum": "partnerships.models.DealKind",
        "DealStatusEnum": "partnerships.models.DealStatus",
        "SourceKindEnum": "partnerships.models.Source.Kind",
        "ContextEventKindEnum": "partnerships.models.ContextEvent.Kind",
        # A stake's tie and a company's tie to its controlling owner: one set of choices.
        "TieEnum": "partnerships.models.Company.Tie",
    },
}

# Celery: with no broker configured, tasks run in-process so the embedded default needs no
# Redis. Late acknowledgement means a task whose worker dies is delivered again.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a task that was never acknowledged (its whole worker was killed) to a worker again
# after this many seconds; longer than any task runs, since tasks are idempotent but should not
# run twice at once. A killed pool process is requeued at once (REJECT_ON_WORKER_LOST).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))
}
CELERY_TIMEZONE = TIME_ZONE
# No task runs without end. Past the soft limit the task is told (SoftTimeLimitExceeded) and
# records why it stopped; past the hard limit its process is killed and the worker moves on.
# Both stay below the visibility timeout, so a task is never handed out twice at once.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "300"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# Reading one article: the founding article takes 0.1 s and 100 KB of hostile text ~1 s.
INGEST_TIME_LIMIT = int(os.environ.get("INGEST_TIME_LIMIT", "120"))
INGEST_HARD_TIME_LIMIT = INGEST_TIME_LIMIT + 30

# A deal "in talks" whose newest source is older than this is flagged for review.
STALE_TALKS_MONTHS = int(os.environ.get("STALE_TALKS_MONTHS", "6"))

# Celery beat (the `beat` service): data checks daily, the cached overview every few minutes.
CELERY_BEAT_SCHEDULE = {
    "flag-stale-talks": {"task": "partnerships.tasks.flag_stale_talks", "schedule": 24 * 3600},
    "update-completeness": {
        "task": "partnerships.tasks.update_completeness",
        "schedule": 24 * 3600,
    },
    "refresh-aggregates": {
        "task": "dashboard.tasks.refresh_aggregates",
        "schedule": int(os.environ.get("AGGREGATES_REFRESH_SECONDS", "300")),
    },
}

# Production (a configured database, DEBUG off) is HTTPS behind a proxy; each of these can be
# turned off from the environment, as the test runner does for its plain-HTTP test server.
PRODUCTION = not DEBUG and not EMBEDDED
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

# Content-Security-Policy (django-csp): scripts come only from this site's files, never inline,
# and nothing loads from another host. Inline styles stay allowed because Plotly and Swagger UI
# set style attributes from their scripts; data: and blob: images are Plotly's PNG export and
# Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Largest list exported as a workbook (XLSX); beyond it the answer says to take the CSV.
XLSX_MAX_ROWS = int(os.environ.get("XLSX_MAX_ROWS", "10000"))
# Largest request body accepted, checked before any parser reads it (413 beyond it): far more
# than any article, far less than would tie up a worker.
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
