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

# Public data files (municipalities, material intensities, embodied carbon, IFC samples)
# are read from here at run time, never copied into the repository.
DATA_DIR = Path(env("URBANMINE_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
# Tables the project derives itself (catalogue, factors with citations).
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "urbanmine.core",
    "urbanmine.organisations",
    "urbanmine.regions",
    "urbanmine.catalogue",
    "urbanmine.assets",
    "urbanmine.hubs",
    "urbanmine.lots",
    "urbanmine.market",
    "urbanmine.insight",
    "urbanmine.impact",
    "urbanmine.portal",
    "urbanmine.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "urbanmine.core.middleware.ChosenLanguageMiddleware",
    "urbanmine.core.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "urbanmine.urls"
WSGI_APPLICATION = "urbanmine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # every app keeps its templates in <app>/templates/
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "urbanmine.core.context_processors.platform",
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
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


# Leaflet and Plotly are served from their installed Python packages (no CDN, offline).
# django-leaflet is not an installed app: its admin widgets would need GDAL.
STATICFILES_DIRS = [
    _package_dir("leaflet") / "static",
    ("plotly", _package_dir("plotly") / "package_data"),
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
# no framing. The app runs offline (no tile server, no CDN): Leaflet, Plotly and htmx are
# served from the installed packages. Page data reaches scripts through data-* attributes
# and json_script blocks (type application/json: not executable).
# - script-src 'self' without 'unsafe-eval': the Plotly bundle of the plotly package only
#   builds functions from strings in polyfills modern browsers never reach (function-bind,
#   a globalThis fallback); bar and scatter charts need no eval (checked in Chromium).
# - style-src 'self' without 'unsafe-inline': Leaflet and Plotly set styles through the
#   CSSOM (element.style), which a policy does not restrict; Plotly's own rules come from
#   insight/plotly.css (insight/_plotly_head.html) instead of an injected <style>; htmx's
#   indicator rules are in site.css (htmx-config in base.html).
# - img-src adds blob: to 'self' data: for Plotly's "download plot as PNG", which draws the
#   chart into a blob: image first. A blob: URL can only be made by script already running
#   on this origin, so this lets no outside image in.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
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
        "rest_framework.authentication.TokenAuthentication",
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
SPECTACULAR_SETTINGS = {
    "TITLE": "urbanmine API",
    "DESCRIPTION": "Urban Mining platform Zuid-Holland: assets, material passports, lots, hubs, demand.",
    "VERSION": "1.0.0",
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
    },
    # Every operation documents the problem+json errors it can answer (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "urbanmine.api.schema.add_problem_responses",
    ],
}


# --- cache: one shared cache for every process (API throttling, public pages) --------------
# Redis when URBANMINE_REDIS_URL is set; the database otherwise (its table is made by
# `migrate`, see core/apps.py), so several gunicorn workers count and cache together.
URBANMINE_REDIS_URL = env("URBANMINE_REDIS_URL")
if URBANMINE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": URBANMINE_REDIS_URL,
            "KEY_PREFIX": env("URBANMINE_CACHE_PREFIX", "urbanmine"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "urbanmine_cache",
            "KEY_PREFIX": env("URBANMINE_CACHE_PREFIX", "urbanmine"),
        }
    }

# --- authentication (sign-in throttling, passwords, API tokens, second factor) -------------

# --- audit log and personal data (GDPR) ----------------------------------------------------

# --- background jobs (Celery when a broker is configured) ----------------------------------

# --- operations (health, metrics, logs, security headers) ---------------------------------


# Hubs: the report's time horizon for stored items (6–9 months).
HUB_DWELL_WARNING_DAYS = int(env("URBANMINE_HUB_DWELL_WARNING_DAYS", "183"))
HUB_DWELL_ALERT_DAYS = int(env("URBANMINE_HUB_DWELL_ALERT_DAYS", "274"))
HUB_DEFAULT_MAX_DWELL_DAYS = 270

# Jobs run in a thread of the web process by default; inline when this is true (tests).
URBANMINE_JOBS_INLINE = env_bool("URBANMINE_JOBS_INLINE", False)
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("URBANMINE_LOG_LEVEL", "WARNING")},
}
