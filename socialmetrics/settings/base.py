"""Settings shared by every environment; all values come from the environment.

Local defaults are safe for a developer laptop: without `DATABASE_URL` / `REDIS_URL` the
embedded PostgreSQL and Redis are started (see `socialmetrics.embedded`).
"""

import base64
import hashlib
from pathlib import Path

import environ

from socialmetrics import embedded

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "accounts",
    "ingestion",
    "analytics",
    "api",
    "dashboards",
    "alerts",
    "reports",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socialmetrics.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "socialmetrics.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socialmetrics.urls"
WSGI_APPLICATION = "socialmetrics.wsgi.application"

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
            ],
        },
    },
]

# --- Database and cache: external when the URLs are set, embedded otherwise ---------------
DATABASE_URL = env("DATABASE_URL", default="") or embedded.postgres_url()
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets parallel test runs on one server keep apart (pytest-xdist adds its own suffix).
if env("TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME")}

REDIS_URL = env("REDIS_URL", default="") or embedded.redis_url()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="sm"),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:overview"
LOGOUT_REDIRECT_URL = "login"

# Lock out after repeated failed logins (django-axes): a username whatever IPs the failures come
# from, and an IP whatever usernames it tries (password spraying).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# --- Internationalisation: Chinese first, English available -------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".data" / "media"

# Uploaded export files: keep them in memory up to 10 MB, refuse anything over 50 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)

# --- Platform credentials at rest ---------------------------------------------------------
# Comma-separated Fernet keys: the first encrypts, all decrypt (key rotation).
# Locally a key is derived from SECRET_KEY; production requires an explicit one.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEY",
    default=[base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()],
)

# --- Platform API base URLs (tests and the demo point them at the local sandbox) ----------
WECHAT_API_BASE = env("WECHAT_API_BASE", default="https://api.weixin.qq.com")
DOUYIN_API_BASE = env("DOUYIN_API_BASE", default="https://open.douyin.com")
BILIBILI_API_BASE = env("BILIBILI_API_BASE", default="https://member.bilibili.com")
BILIBILI_OAUTH_BASE = env("BILIBILI_OAUTH_BASE", default="https://api.bilibili.com")
WEIBO_API_BASE = env("WEIBO_API_BASE", default="https://api.weibo.com")
XHS_ADS_API_BASE = env("XHS_ADS_API_BASE", default="https://adapi.xiaohongshu.com/api/open")
PLATFORM_HTTP_TIMEOUT = env.float("PLATFORM_HTTP_TIMEOUT", default=20.0)
# First wait (seconds) of the exponential backoff between retries of a transient platform failure.
PLATFORM_RETRY_WAIT = env.float("PLATFORM_RETRY_WAIT", default=1.0)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Platform syncs retry transient errors after ~SYNC_RETRY_BACKOFF s, doubling, with jitter.
SYNC_RETRY_BACKOFF = env.int("SYNC_RETRY_BACKOFF", default=60)
SYNC_MAX_RETRIES = env.int("SYNC_MAX_RETRIES", default=5)

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.OrganizationAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_THROTTLE_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"
SPECTACULAR_SETTINGS = {
    "TITLE": "socialmetrics API",
    "DESCRIPTION": "KPIs for WeChat, Douyin, Xiaohongshu, Weibo and Bilibili accounts and campaigns.\n\n"
    "Auth: `Authorization: Api-Key <key>` (one organization, analyst rights) or the browser session "
    "(roles: viewer reads, analyst also imports and syncs, owner also manages accounts and keys; "
    "pick an organization with `?org=<slug>` or the `X-Organization` header). Lists and the KPI "
    "report answer `?format=csv` (UTF-8 with BOM).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Scaling past one machine: per-platform sync queues, redelivery, read replica ---------
CELERY_TASK_ROUTES = ("ingestion.tasks.sync_route",)
SYNC_QUEUE_PREFIX = env("SYNC_QUEUE_PREFIX", default="sync.")
# Redis hands a task nobody acknowledged (its worker died) to another worker after this long: it
# must exceed every task's hard time limit, or a long task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 10 * 60),
}
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**env.db_url_config(DATABASE_REPLICA_URL), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
                            "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["socialmetrics.db_routers.PrimaryReplicaRouter"]
MIDDLEWARE += ["socialmetrics.db_routers.ReplicaReadsMiddleware"]

# --- Hardening against hostile tenants and bad nights (issue 22) ----------------------------
# Redis down must not take the API with it: every Redis client gives up fast, the throttle
# then lets requests through (api.throttling) and queueing a task answers 503 (ingestion.queueing).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
CACHES["default"]["OPTIONS"] = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Runs record every outcome; nothing reads task results, so sending a task needs only the broker.
CELERY_TASK_IGNORE_RESULT = True

# Cookies travel over HTTPS only whenever this is not a developer's DEBUG server.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)  # a working day, not Django's 14 days
# No inline script anywhere (figure JSON sits in <script type="application/json">, which is data);
# styles may be inline because Plotly and Swagger UI set them from their own scripts.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# File names in GB18030 (Chinese Windows) would make Django drop the uploaded file.
FILE_UPLOAD_HANDLERS = [
    "socialmetrics.uploads.PartHeadersUTF8Handler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Most rows one /api/v1/kpis/ answer may have (a bigger one is a 400 asking to narrow the query).
KPI_MAX_ROWS = env.int("KPI_MAX_ROWS", default=5000)

# --- Platforms added in the second round (issue 13: Kuaishou; 视频号 reads WECHAT_API_BASE) ----------
KUAISHOU_API_BASE = env("KUAISHOU_API_BASE", default="https://open.kuaishou.com")

# --- Alerts (alerts/): channels, outgoing webhooks, email -----------------------------------
# Outgoing webhooks refuse private, loopback and link-local addresses except these `host:port`.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
# smtp://user:pass@host:587 (smtp+tls://, smtps://); without it DEBUG prints mail to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="socialmetrics <alerts@localhost>")
EMAIL_TIMEOUT = 10
# The address of this app as alert readers reach it (links in messages).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A nightly sync queues the evaluation this many seconds later; syncs finishing meanwhile share it.
ALERT_EVALUATION_DELAY = env.int("ALERT_EVALUATION_DELAY", default=30)
# Transient delivery failures retry after ~ALERT_RETRY_BACKOFF s, doubling, up to this many attempts.
ALERT_RETRY_BACKOFF = env.int("ALERT_RETRY_BACKOFF", default=30)
ALERT_DELIVERY_MAX_ATTEMPTS = env.int("ALERT_DELIVERY_MAX_ATTEMPTS", default=6)
# urllib3 logs request paths at DEBUG, and robot paths carry their keys: never below INFO.
LOGGING.setdefault("loggers", {})["urllib3"] = {"level": "INFO"}

# --- Nightly ingest: gap-aware windows and run-owned locks (ingestion.windows, ingestion.locks) ---
# The longest stretch of missed days one night reads back (and records as gaps beyond).
SYNC_MAX_BACKFILL_DAYS = env.int("SYNC_MAX_BACKFILL_DAYS", default=90)
# Seconds a sync's per-account lock lives unless the working run renews it (every third of it).
SYNC_LOCK_TTL = env.int("SYNC_LOCK_TTL", default=60)
# A queued (or retrying) run whose task has not come after this long lost its message: failed.
SYNC_STALE_QUEUED_SECONDS = env.int("SYNC_STALE_QUEUED_SECONDS", default=6 * 60 * 60)
# Bilibili's OAuth authorisation page (the reconnect flow sends owners there; tests use the sandbox).
BILIBILI_AUTHORIZE_BASE = env("BILIBILI_AUTHORIZE_BASE", default="https://account.bilibili.com")

# --- Import limits and background imports (issue 21: hostile and huge files) ------------
# Checked before the expensive work where the file declares its size, while streaming otherwise;
# each refusal names the setting. Defaults fit a 1,000,000-row export; see README "Big and hostile files".
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_100_000)  # spreadsheet rows, preamble included
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=200)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)  # Excel's own cell limit
IMPORT_MAX_SHEETS = env.int("IMPORT_MAX_SHEETS", default=50)
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=512 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env.int("IMPORT_XLSX_MAX_RATIO", default=100)  # real sheets compress 5–30:1
# `POST …/imports/?wait=N` waits at most this long for a small file's result (else answers 202).
IMPORT_WAIT_MAX_SECONDS = env.float("IMPORT_WAIT_MAX_SECONDS", default=10.0)
# The data page's upload form waits this long before showing "queued" with live progress.
IMPORT_FORM_WAIT_SECONDS = env.float("IMPORT_FORM_WAIT_SECONDS", default=3.0)

# --- Reports (reports/): scheduled PDF/XLSX reports --------------------------------------------
# Building one report (queries, Chromium PDF, XLSX) may take this long before Celery stops it.
REPORT_BUILD_TIME_LIMIT = env.int("REPORT_BUILD_TIME_LIMIT", default=5 * 60)
# Reports and their files are kept this many days.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=400)

# --- Comments (issue 17): what the nightly comment read may take, per account --------------------
COMMENTS_SYNC_DAYS = env.int("COMMENTS_SYNC_DAYS", default=14)  # posts published this many days back
COMMENTS_SYNC_MAX_PER_ACCOUNT = env.int("COMMENTS_SYNC_MAX_PER_ACCOUNT", default=2000)
