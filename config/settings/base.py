"""Settings shared by every environment; everything configurable comes from the environment.

The README's configuration table lists each variable. Values that DOMAIN.md marks as
unconfirmed (M / Unconfirmed) are GASGUARD_* settings with documented defaults.
"""

from pathlib import Path

import dj_database_url

from gasguard.core.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "gasguard-insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

GASGUARD_APPS = [
    "gasguard.core",
    "gasguard.org",
    "gasguard.accounts",
    "gasguard.audit",
    "gasguard.notifications",
    "gasguard.registry",
    "gasguard.rules",
    "gasguard.inspections",
    "gasguard.hazards",
    "gasguard.tips",
    "gasguard.cylinders",
    "gasguard.products",
    "gasguard.monitoring",
    "gasguard.fleet",
    "gasguard.campaigns",
    "gasguard.dashboard",
]

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    *GASGUARD_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gasguard.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gasguard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gasguard.core.context_processors.gasguard",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'gasguard.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a long import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gasguard.accounts.validators.CharacterClassValidator"},
]
AUTHENTICATION_BACKENDS = ["gasguard.accounts.backends.LockoutModelBackend"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "gasguard" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "gasguard" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("GASGUARD_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- security -----------------------------------------------------------------------------
SESSION_COOKIE_AGE = env_int("GASGUARD_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
GASGUARD_LOGIN_MAX_FAILURES = env_int("GASGUARD_LOGIN_MAX_FAILURES", 5, minimum=1)
GASGUARD_LOGIN_LOCK_MINUTES = env_int("GASGUARD_LOGIN_LOCK_MINUTES", 15, minimum=1)

# --- services ------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gasguard@localhost")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "gasguard.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gasguard.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": env_str("GASGUARD_PUBLIC_RATE", "20/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GasGuard API",
    "DESCRIPTION": "城镇燃气安全排查整治与监管平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- product settings (GASGUARD_*) ---------------------------------------------------------
GASGUARD_MAP_TILE_URL = env_str("GASGUARD_MAP_TILE_URL", "")
GASGUARD_MAP_TILE_ATTRIBUTION = env_str("GASGUARD_MAP_TILE_ATTRIBUTION", "")
GASGUARD_MIN_SAFETY_MANAGERS = env_int("GASGUARD_MIN_SAFETY_MANAGERS", 1, minimum=0)
GASGUARD_IMPORT_MAX_ROWS = env_int("GASGUARD_IMPORT_MAX_ROWS", 200_000, minimum=1)
GASGUARD_REPORT_CUTOFF_DAY = env_int("GASGUARD_REPORT_CUTOFF_DAY", 25, minimum=1, maximum=28)
GASGUARD_CYLINDER_DESIGN_LIFE_YEARS = env_int("GASGUARD_CYLINDER_DESIGN_LIFE_YEARS", 8, minimum=1)
GASGUARD_CYLINDER_EXTENSION_YEARS = env_int("GASGUARD_CYLINDER_EXTENSION_YEARS", 4, minimum=0)
GASGUARD_CYLINDER_INSPECTION_YEARS = env_int("GASGUARD_CYLINDER_INSPECTION_YEARS", 4, minimum=1)
GASGUARD_REVISIT_GENERAL_SHARE = env_float("GASGUARD_REVISIT_GENERAL_SHARE", 0.2, minimum=0.0)
GASGUARD_DEMO_PASSWORD = env_str("GASGUARD_DEMO_PASSWORD", "GasGuard#2023")
GASGUARD_AUDIT_HASH = env_str("GASGUARD_AUDIT_HASH", "")  # '' = SM3 when available, else SHA-256

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
