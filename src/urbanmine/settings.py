"""Django settings for urbanmine.

Every setting is declared once here with a safe default; deployments differ only by
environment variables (see `.env.example`).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # repository root (src/urbanmine/..)
PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("URBANMINE_DEBUG", False)
# A development key is generated per checkout under var/ when none is given; never committed.
VAR_DIR = Path(env("URBANMINE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env("URBANMINE_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        # created readable by the owner only (mode 600), never by other users of the host
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)  # an older checkout wrote it world-readable
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("URBANMINE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("URBANMINE_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000")

# The raw public data files are not the product's: the derivation scripts in scripts/
# (and their tests) find them through URBANMINE_DATA_DIR; the installed product reads only
# the derived tables below.
# Tables the project derives itself (catalogue, factors, municipalities and boundaries,
# the province baseline stock; each with source, version and licence: data/SOURCES.md).
DERIVED_DATA_DIR = PACKAGE_DIR / "data"
# Impact factors (CO2, prices) with citations; point these at a licensed NMD/MKI export in
# the same columns to replace the default ÖKOBAUDAT-based table without code changes.
IMPACT_FACTORS_PATH = Path(
    env("URBANMINE_IMPACT_FACTORS", str(DERIVED_DATA_DIR / "impact_factors.csv"))
)
TRANSPORT_FACTORS_PATH = Path(
    env("URBANMINE_TRANSPORT_FACTORS", str(DERIVED_DATA_DIR / "transport_factors.csv"))
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # only until its keys are copied into accounts.ApiToken
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prometheus",
    "health_check",
    "urbanmine.core",
    "urbanmine.organisations",
    "urbanmine.accounts",
    "urbanmine.regions",
    "urbanmine.catalogue",
    "urbanmine.assets",
    "urbanmine.hubs",
    "urbanmine.lots",
    "urbanmine.market",
    "urbanmine.insight",
    "urbanmine.impact",
    "urbanmine.network",
    "urbanmine.tenders",
    "urbanmine.knowledge",
    "urbanmine.webhooks",
    "urbanmine.portal",
    "urbanmine.demo",
    "auditlog",
    "urbanmine.audit",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times everything
    "urbanmine.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "urbanmine.core.middleware.ChosenLanguageMiddleware",
    "urbanmine.core.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /api/v1/: API-Version, camelCase query keys (snake_case: deprecated), Accept-Crs
    "urbanmine.api.conformance.ApiConformanceMiddleware",
    # auditlog's, without the client's headers (audit/middleware.py); the API names its
    # key-authenticated caller after DRF's authentication (core.api.audit_actor_from_api)
    "urbanmine.audit.middleware.AuditlogMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (second factor)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last
    # after it: a locked-out sign-in becomes the lockout page (429) before it is counted
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "urbanmine.urls"
WSGI_APPLICATION = "urbanmine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # every app keeps its templates in <app>/templates/; the admin's branding overrides
        # django.contrib.admin's own templates from here (DIRS come before the apps)
        "DIRS": [PACKAGE_DIR / "core" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # num, pct, kg_to_t, day, moment: the one Dutch/English format (core/formatting.py)
            "builtins": ["urbanmine.core.templatetags.numbers"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "urbanmine.core.context_processors.platform",
                "urbanmine.core.context_processors.breadcrumbs",
                "urbanmine.audit.context_processors.audit",
                "urbanmine.market.context_processors.permits",
                "urbanmine.organisations.context_processors.membership",
                "urbanmine.organisations.context_processors.menu",
                "urbanmine.portal.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'urbanmine.sqlite3'}"),
        conn_max_age=int(env("URBANMINE_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout keep the embedded database usable with a few concurrent users.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # the personal start page: what needs action
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)


def _package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    assert spec and spec.submodule_search_locations, f"package {name} is not installed"
    return Path(list(spec.submodule_search_locations)[0])


# Leaflet is served from its installed Python package, Chart.js (0.2 MB; the 4.8 MB Plotly
# bundle took ~1.8 s to load: issue #12; scripts/vendor_chartjs.sh) from this package's
# static files (insight/vendor/): no CDN, offline.
# django-leaflet is not an installed app: its admin widgets would need GDAL.
STATICFILES_DIRS = [
    _package_dir("leaflet") / "static",
]
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A deployment behind HTTPS declares it (URBANMINE_HTTPS=true): redirect to https, HSTS,
# cookies over TLS only; the TLS-terminating proxy sets X-Forwarded-Proto.
URBANMINE_HTTPS = env_bool("URBANMINE_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE = URBANMINE_HTTPS or env_bool(
    "URBANMINE_SECURE_COOKIES", False
)
if URBANMINE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("URBANMINE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Content-Security-Policy (django-csp) ----------------------------------------------
# (section owned by the web-safety work: scripts only from this site, no inline script)
# Everything from this site only; no inline script, no inline style, no eval, no plugins,
# no framing. The app runs offline (no tile server, no CDN): Leaflet, Chart.js and htmx are
# served from the installed packages. Page data reaches scripts through data-* attributes
# and json_script blocks (type application/json: not executable).
# - script-src 'self' without 'unsafe-eval': Chart.js draws on a canvas and needs no eval.
# - style-src 'self' without 'unsafe-inline': Leaflet and Chart.js set styles through the
#   CSSOM (element.style), which a policy does not restrict; htmx's indicator rules are in
#   site.css (htmx-config in base.html).
# - img-src 'self' data:: Leaflet's icons; a chart's "PNG" link is a data: URL of its canvas.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- uploads: limits enforced while reading ----------------------------------------------
URBANMINE_MAX_UPLOAD_BYTES = int(env("URBANMINE_MAX_UPLOAD_MB", "50")) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "urbanmine.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- REST API (errors, parsers, pagination) -----------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "urbanmine.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON bodies are one object, not too deep, without NUL or infinite numbers (core.api);
    # forms stay accepted.
    "DEFAULT_PARSER_CLASSES": [
        "urbanmine.core.api.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "urbanmine.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Errors as application/problem+json (Dutch API Design Rules, RFC 7807).
    "EXCEPTION_HANDLER": "urbanmine.api.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("URBANMINE_API_ANON_RATE", "120/min"),
        "user": env("URBANMINE_API_USER_RATE", "1200/min"),
    },
}
# The OpenAPI document of /api/v1/ (Dutch API Design Rules, docs/adr/0006): the server URL
# with the major version, a contact, the full semantic version (also the API-Version header).
URBANMINE_API_SERVER_URL = env("URBANMINE_API_SERVER_URL", "https://urbanmine.example/api/v1")
URBANMINE_API_CONTACT_NAME = env("URBANMINE_API_CONTACT_NAME", "urbanmine platform team")
URBANMINE_API_CONTACT_EMAIL = env("URBANMINE_API_CONTACT_EMAIL", "api@urbanmine.example")
URBANMINE_API_CONTACT_URL = env("URBANMINE_API_CONTACT_URL", "https://urbanmine.example/api/docs/")
SPECTACULAR_SETTINGS = {
    "TITLE": "urbanmine API",
    "DESCRIPTION": "Urban Mining platform Zuid-Holland: assets, material passports, lots, hubs, demand.",
    "VERSION": "1.1.0",
    "CONTACT": {
        "name": URBANMINE_API_CONTACT_NAME,
        "email": URBANMINE_API_CONTACT_EMAIL,
        "url": URBANMINE_API_CONTACT_URL,
    },
    "LICENSE": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/en/"},
    # paths relative to the server URL, which carries /api/v1 (api/schema.py)
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the installed sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LotStatusEnum": "urbanmine.lots.lifecycle.Status",
        "DemandStatusEnum": "urbanmine.market.models.DemandStatus",
        "ProposalStatusEnum": "urbanmine.market.models.ProposalStatus",
        "QualityEnum": "urbanmine.lots.models.Quality",
        "JobStatusEnum": "urbanmine.core.models.JobStatus",
        "StepEnum": "urbanmine.lots.lifecycle.Step",
        "TransferStepEnum": "urbanmine.lots.api.TRANSFER_STEP_CHOICES",
        "RStrategyEnum": "urbanmine.lots.models.RStrategy",
        "RLevelEnum": "urbanmine.tenders.models.R_LEVEL_CHOICES",
        "AmbitionLevelEnum": "urbanmine.tenders.models.AmbitionLevel",
        # the hub stock line's dwell level keeps its name beside the ambitions' level
        "LevelEnum": [("ok", "ok"), ("warning", "warning"), ("alert", "alert")],
        "TenderPhaseEnum": "urbanmine.tenders.models.Phase",
        "ClauseKindEnum": "urbanmine.tenders.models.ClauseKind",
        "TenderStatusEnum": "urbanmine.tenders.models.TenderStatus",
        "TransformationStrategyEnum": "urbanmine.lots.api.TRANSFORMATION_R_CHOICES",
        "TransferStatusEnum": "urbanmine.lots.models.TransferStatus",
        "EngagementStatusEnum": "urbanmine.lots.models.EngagementStatus",
    },
    # Every operation documents the problem+json errors it can answer (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "urbanmine.api.schema.add_problem_responses",
        "urbanmine.api.schema.add_design_rules",
    ],
}


# How long the organisation that recorded a lifecycle step may correct it itself (days);
# after that only the data steward (issue #14).
URBANMINE_CORRECTION_DAYS = int(env("URBANMINE_CORRECTION_DAYS", "14"))
# Address lookup on the asset form: the PDOK Locatieserver's base URL, e.g.
# https://api.pdok.nl/bzk/locatieserver/search/v3_1 (empty: off, the platform runs offline).
URBANMINE_PDOK_LOCATIESERVER_URL = env("URBANMINE_PDOK_LOCATIESERVER_URL", "")
URBANMINE_PDOK_TIMEOUT_S = float(env("URBANMINE_PDOK_TIMEOUT_S", "4"))
# The platform's address, for links in e-mails sent outside a request (wanted lists).
URBANMINE_SITE_URL = env("URBANMINE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The contact page and the accessibility statement: where people write to (empty: the page says
# the deployment has not set one), and where the source code is published.
URBANMINE_CONTACT_EMAIL = env("URBANMINE_CONTACT_EMAIL", "")
# The language records are written in (clauses, covenants, knowledge articles, descriptions):
# pages mark them with it (lang="…"), so a screen reader reads Dutch text as Dutch on an
# English page (WCAG 3.1.2).
URBANMINE_CONTENT_LANGUAGE = env("URBANMINE_CONTENT_LANGUAGE", "nl")
URBANMINE_SOURCE_URL = env("URBANMINE_SOURCE_URL", "")
# An invitation to join an organisation is valid this many days.
URBANMINE_INVITATION_DAYS = int(env("URBANMINE_INVITATION_DAYS", "14"))
# Attached documents (inspection certificates, permit decisions): PDFs outside the web root,
# served only after a permission check (core/documents.py).
URBANMINE_DOCUMENTS_DIR = Path(env("URBANMINE_DOCUMENTS_DIR", str(VAR_DIR / "documents")))
URBANMINE_DOCUMENT_MAX_BYTES = int(env("URBANMINE_DOCUMENT_MAX_MB", "10")) * 1024 * 1024

# --- cache: one shared cache for every process (API throttling, public pages) --------------
# Redis when URBANMINE_REDIS_URL is set; the database otherwise (its table is made by
# `migrate`, see core/apps.py), so several gunicorn workers count and cache together.
URBANMINE_REDIS_URL = env("URBANMINE_REDIS_URL")
if URBANMINE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "urbanmine.core.redis_cache.RedisCache",  # one client per pool
            "LOCATION": URBANMINE_REDIS_URL,
            "KEY_PREFIX": env("URBANMINE_CACHE_PREFIX", "urbanmine"),
        }
    }
    # Signed-in requests read their session from Redis, written through to the database
    # (which stays the record: signing a user out everywhere deletes both, audit/services.py).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "urbanmine_cache",
            "KEY_PREFIX": env("URBANMINE_CACHE_PREFIX", "urbanmine"),
        }
    }

# --- authentication (sign-in throttling, passwords, API tokens, second factor) -------------
# (section owned by the authentication work: urbanmine/accounts)
# django-axes counts failed sign-ins (site and admin) per username + address in the database,
# shared by every process; after the limit that pair waits out the cool-off (the lockout
# page, 429). Every failure during the lockout starts the cool-off again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair
    "django.contrib.auth.backends.ModelBackend",
]
URBANMINE_LOGIN_FAILURE_LIMIT = int(env("URBANMINE_LOGIN_FAILURE_LIMIT", "5"))
URBANMINE_LOGIN_COOLOFF_MINUTES = int(env("URBANMINE_LOGIN_COOLOFF_MINUTES", "15"))
# Reverse proxies in front that append to X-Forwarded-For (0: the address is REMOTE_ADDR,
# and X-Forwarded-For, which a client can write, is ignored). Used by the lockout and the
# API's failure throttle (accounts/network.py).
URBANMINE_PROXY_COUNT = int(env("URBANMINE_PROXY_COUNT", "0"))
# DRF's anonymous throttle takes the address the same way (not a client-written header)
REST_FRAMEWORK["NUM_PROXIES"] = URBANMINE_PROXY_COUNT
AXES_FAILURE_LIMIT = URBANMINE_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = URBANMINE_LOGIN_COOLOFF_MINUTES / 60  # hours, as a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "urbanmine.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "urbanmine.accounts.network.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # personal data: no record of every successful sign-in
AXES_VERBOSE = False

# E-mail (password reset, invitations): SMTP when URBANMINE_EMAIL_HOST is set, else files.
URBANMINE_EMAIL_HOST = env("URBANMINE_EMAIL_HOST")
if URBANMINE_EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = URBANMINE_EMAIL_HOST
    EMAIL_PORT = int(env("URBANMINE_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("URBANMINE_EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("URBANMINE_EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("URBANMINE_EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    # no mail server: every mail is written as a file under var/mail (`make run` says where)
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("URBANMINE_DEFAULT_FROM_EMAIL", "urbanmine <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour

# API keys (accounts.ApiToken): valid this many days unless the owner picks 1-365.
URBANMINE_API_TOKEN_DAYS = min(max(int(env("URBANMINE_API_TOKEN_DAYS", "90")), 1), 365)
# Failed API authentications per client address before 429 (shared cache).
URBANMINE_API_AUTH_FAILURE_RATE = env("URBANMINE_API_AUTH_FAILURE_RATE", "20/min")

# Second factor (TOTP, django-otp). With URBANMINE_ADMIN_OTP=true (recommended in
# production) the admin requires a session verified with a code; users set up TOTP at
# /accounts/two-factor/ and are then asked for a code after the password.
URBANMINE_ADMIN_OTP = env_bool("URBANMINE_ADMIN_OTP", False)
OTP_TOTP_ISSUER = "urbanmine Zuid-Holland"

# --- audit log and personal data (GDPR) ----------------------------------------------------
# (section owned by the audit work: docs/privacy.md) django-auditlog follows the models of
# audit/registry.py; entries older than the retention are deleted by `urbanmine audit_prune`.
URBANMINE_AUDIT_RETENTION_DAYS = int(env("URBANMINE_AUDIT_RETENTION_DAYS", "730"))
# No client addresses in the log (the proxy's access log has them); each entry carries the
# request id of the application's logs instead (audit/middleware.py).
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # loaddata and fixtures are no one's change

# --- background jobs (Celery when a broker is configured) ----------------------------------
# Jobs (matching runs, forecasts) run on Celery workers when a broker is set (Redis, e.g.
# redis://127.0.0.1:6379/2, a database apart from the cache's, which `cache.clear()` would
# flush; `celery -A urbanmine worker`); without one, in a thread of the web process.
# docs/development/jobs.md explains the modes, heartbeat and stale detection.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A worker that dies mid-job loses the message: the job ends failed (stale), never runs twice.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long job holds no queued ones hostage
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # our logging configuration stays
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "urbanmine")
CELERY_RESULT_EXPIRES = 86400
# A running job refreshes its heartbeat this often; one silent for URBANMINE_JOB_STALE_S is
# failed ("the worker stopped") by the reaper of every worker, `urbanmine jobs_reap` and
# the pages that poll it.
URBANMINE_JOB_HEARTBEAT_S = float(env("URBANMINE_JOB_HEARTBEAT_S", "10"))
URBANMINE_JOB_STALE_S = float(env("URBANMINE_JOB_STALE_S", "60"))
# An inventory upload (page or API) with more rows than this is parsed and stored as a
# background job (lots.InventoryImport: a status page, 202 from the API); smaller ones
# inline, within the request.
URBANMINE_IMPORT_JOB_ROWS = int(env("URBANMINE_IMPORT_JOB_ROWS", "2000"))
# IFC import (engine.ifc): the geometry kernel measures elements whose quantity sets are
# missing or wrong (seconds for a house, minutes for a large model). Off, or above this
# many mass-bearing elements, masses come from the quantity sets and typical masses only.
URBANMINE_IFC_GEOMETRY = env_bool("URBANMINE_IFC_GEOMETRY", True)
URBANMINE_IFC_GEOMETRY_MAX_ELEMENTS = int(env("URBANMINE_IFC_GEOMETRY_MAX_ELEMENTS", "20000"))

# --- operations (health, metrics, logs, security headers) ---------------------------------
# (section owned by the deployment work: docs/deploy.md)
# Browser features the site never uses are switched off for it and for anything it embeds
# (django-permissions-policy sends `camera=(), microphone=(), ...`). A WebAuthn second
# factor would need publickey-credentials-* = "self".
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "clipboard-read", "display-capture", "encrypted-media", "fullscreen",
        "gamepad", "geolocation", "gyroscope", "hid", "identity-credentials-get",
        "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone",
        "midi", "otp-credentials", "payment", "picture-in-picture",
        "publickey-credentials-create", "publickey-credentials-get", "screen-wake-lock",
        "serial", "speaker-selection", "storage-access", "usb", "web-share",
        "window-management", "xr-spatial-tracking",
    )
}  # fmt: skip
# Probes (/health/…) and the Prometheus scraper (/metrics) reach gunicorn directly over
# plain http on the host, not through the TLS proxy: no redirect to https for them.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
# /metrics answers only `Authorization: Bearer <this token>`; unset, /metrics is 404.
URBANMINE_METRICS_TOKEN = env("URBANMINE_METRICS_TOKEN")
# Readiness fails when the disk holding URBANMINE_VAR_DIR has less free space than this.
URBANMINE_HEALTH_MIN_FREE_MB = int(env("URBANMINE_HEALTH_MIN_FREE_MB", "500"))
# Console logs: "text" (default) or "json" (one object a line, for a log collector).
URBANMINE_LOG_FORMAT = env("URBANMINE_LOG_FORMAT", "text").strip().lower()


# Hubs: the report's time horizon for stored items (6–9 months).
HUB_DWELL_WARNING_DAYS = int(env("URBANMINE_HUB_DWELL_WARNING_DAYS", "183"))
HUB_DWELL_ALERT_DAYS = int(env("URBANMINE_HUB_DWELL_ALERT_DAYS", "274"))
HUB_DEFAULT_MAX_DWELL_DAYS = 270

# Jobs run synchronously in the caller when this is true (tests); see "background jobs".
URBANMINE_JOBS_INLINE = env_bool("URBANMINE_JOBS_INLINE", False)

# Webhooks (docs/adr/0006): receivers must be https (off only for development), and on
# public addresses unless URBANMINE_WEBHOOK_ALLOW_PRIVATE (a receiver inside the network).
# A delivery is tried URBANMINE_WEBHOOK_MAX_ATTEMPTS times, waiting BACKOFF_S × 2^(n−1)
# after failed attempt n; after DISABLE_AFTER failed deliveries in a row the subscription
# is switched off.
URBANMINE_WEBHOOK_REQUIRE_HTTPS = env_bool("URBANMINE_WEBHOOK_REQUIRE_HTTPS", not DEBUG)
URBANMINE_WEBHOOK_ALLOW_PRIVATE = env_bool("URBANMINE_WEBHOOK_ALLOW_PRIVATE", False)
URBANMINE_WEBHOOK_MAX_ATTEMPTS = max(1, int(env("URBANMINE_WEBHOOK_MAX_ATTEMPTS", "5")))
URBANMINE_WEBHOOK_BACKOFF_S = float(env("URBANMINE_WEBHOOK_BACKOFF_S", "10"))
URBANMINE_WEBHOOK_DISABLE_AFTER = max(1, int(env("URBANMINE_WEBHOOK_DISABLE_AFTER", "5")))
URBANMINE_WEBHOOK_TIMEOUT_S = float(env("URBANMINE_WEBHOOK_TIMEOUT_S", "10"))
# Demo mode (`make run` sets it): the demo may create the data steward "beheerder", a
# superuser with the documented password. Never set it on a real deployment.
URBANMINE_DEMO_MODE = env_bool("URBANMINE_DEMO_MODE", False)

# Matching parameters for instances built from the database (contract fields of
# ARCHITECTURE.md). Estimates, documented in docs/adr/0002-matching-solver.md: road distance
# ≈ 1.3 × great-circle in the Randstad; truck CO2 and cost per tonne-km; CO2 shadow price.
MATCHING_PARAMS = {
    "road_factor": float(env("URBANMINE_MATCH_ROAD_FACTOR", "1.3")),
    "truck_co2_kg_per_tkm": float(env("URBANMINE_MATCH_TRUCK_CO2_KG_PER_TKM", "0.1")),
    "transport_eur_per_tkm": float(env("URBANMINE_MATCH_TRANSPORT_EUR_PER_TKM", "0.15")),
    "co2_price_eur_per_t": float(env("URBANMINE_MATCH_CO2_PRICE_EUR_PER_T", "100")),
    "direct_transfer_max_days": int(env("URBANMINE_MATCH_DIRECT_MAX_DAYS", "14")),
}
# Hub tariffs used when a hub has none of its own (estimates).
HUB_DEFAULT_STORAGE_EUR_PER_T_DAY = float(env("URBANMINE_HUB_STORAGE_EUR_PER_T_DAY", "0.40"))
HUB_DEFAULT_HANDLING_EUR_PER_T = float(env("URBANMINE_HUB_HANDLING_EUR_PER_T", "12"))
MATCHING_TIME_LIMIT_S = float(env("URBANMINE_MATCHING_TIME_LIMIT_S", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # every record carries the request's id (X-Request-ID; "-" outside a request)
    "filters": {"request_id": {"()": "urbanmine.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "timestamp",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if URBANMINE_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("URBANMINE_LOG_LEVEL", "WARNING")},
}
