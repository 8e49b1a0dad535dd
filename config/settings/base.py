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
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
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
        {"BACKEND": "gasguard.core.cache.RedisCache", "LOCATION": REDIS_URL}
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
    "DEFAULT_PERMISSION_CLASSES": ["gasguard.core.permissions.WriteRolePermission"],
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
    # The pre-fill gate is a plain Django view (the hot path); it documents itself here.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gasguard.cylinders.api.gate.schema_hook",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # registry/org choice sets share field names ("kind", "role"); name them explicitly.
        "PremisesKindEnum": "gasguard.registry.choices.PremisesKindChoices",
        "LicenceKindEnum": "gasguard.registry.choices.LicenceKindChoices",
        "CertificateKindEnum": "gasguard.registry.choices.CertificateKindChoices",
        "FacilityKindEnum": "gasguard.registry.choices.FacilityKindChoices",
        "EnterpriseRoleEnum": "gasguard.registry.choices.EnterpriseRoleChoices",
        "DepartmentKindEnum": "gasguard.org.choices.DepartmentKindChoices",
        # other apps' choice sets sharing a field name (kind, status, category, ...)
        "RuleCategoryEnum": "gasguard.rules.choices.CategoryChoices",
        "RuleSeverityEnum": "gasguard.rules.choices.SeverityChoices",
        "TipCategoryEnum": "gasguard.tips.choices.TipCategoryChoices",
        "TipStatusEnum": "gasguard.tips.choices.TipStatusChoices",
        "TipOutcomeEnum": "gasguard.tips.choices.TipOutcomeChoices",
        "InterviewOutcomeEnum": "gasguard.campaigns.choices.InterviewOutcomeChoices",
        "NoticeKindEnum": "gasguard.campaigns.choices.NoticeKindChoices",
        "SpaceKindEnum": "gasguard.monitoring.choices.SpaceKindChoices",
        "AlarmLevelEnum": "gasguard.monitoring.choices.AlarmLevelChoices",
        "InspectionBatchKindEnum": "gasguard.inspections.choices.InspectionBatchKindChoices",
        "InspectionStatusEnum": "gasguard.inspections.choices.InspectionStatusChoices",
        "InspectionTargetTypeEnum": "gasguard.inspections.choices.InspectionTargetTypeChoices",
        "HazardSourceEnum": "gasguard.hazards.choices.HazardSourceChoices",
        "HazardStatusEnum": "gasguard.hazards.choices.HazardStatusChoices",
        "HazardTargetTypeEnum": "gasguard.hazards.choices.HazardTargetTypeChoices",
    },
}

# --- product settings (GASGUARD_*) ---------------------------------------------------------
GASGUARD_MAP_TILE_URL = env_str("GASGUARD_MAP_TILE_URL", "")
GASGUARD_MAP_TILE_ATTRIBUTION = env_str("GASGUARD_MAP_TILE_ATTRIBUTION", "")
GASGUARD_MIN_SAFETY_MANAGERS = env_int("GASGUARD_MIN_SAFETY_MANAGERS", 1, minimum=0)
GASGUARD_IMPORT_MAX_ROWS = env_int("GASGUARD_IMPORT_MAX_ROWS", 200_000, minimum=1)
GASGUARD_EXPORT_MAX_ROWS = env_int("GASGUARD_EXPORT_MAX_ROWS", 100_000, minimum=1)
GASGUARD_MAP_MAX_POINTS = env_int("GASGUARD_MAP_MAX_POINTS", 5000, minimum=100)
GASGUARD_REPORT_CUTOFF_DAY = env_int("GASGUARD_REPORT_CUTOFF_DAY", 25, minimum=1, maximum=28)
GASGUARD_REPORT_REMIND_DAYS = env_int("GASGUARD_REPORT_REMIND_DAYS", 3, minimum=0, maximum=27)
GASGUARD_DASHBOARD_CACHE_SECONDS = env_int("GASGUARD_DASHBOARD_CACHE_SECONDS", 60, minimum=0)
GASGUARD_HAZARD_ROLLUP = env_bool("GASGUARD_HAZARD_ROLLUP", True)
GASGUARD_CYLINDER_DESIGN_LIFE_YEARS = env_int("GASGUARD_CYLINDER_DESIGN_LIFE_YEARS", 8, minimum=1)
GASGUARD_CYLINDER_EXTENSION_YEARS = env_int("GASGUARD_CYLINDER_EXTENSION_YEARS", 4, minimum=0)
GASGUARD_CYLINDER_INSPECTION_YEARS = env_int("GASGUARD_CYLINDER_INSPECTION_YEARS", 4, minimum=1)
# 一瓶一码 (cylinders app; DOMAIN.md §3, §6 — M values are defaults, see docs/cylinders.md)
GASGUARD_CYLINDER_MAX_FILL_KG = env_str(
    "GASGUARD_CYLINDER_MAX_FILL_KG",
    "YSP4.7=1.9,YSP12=5.0,YSP26.2=11.0,YSP35.5=14.5,YSP118=49.5,YSP118-II=49.5,YSP118/49.5=49.5,YSP118/液/49.5=49.5",
)
GASGUARD_GATE_REPEAT_DENY_COUNT = env_int("GASGUARD_GATE_REPEAT_DENY_COUNT", 3, minimum=1)
GASGUARD_GATE_REPEAT_DENY_HOURS = env_int("GASGUARD_GATE_REPEAT_DENY_HOURS", 24, minimum=1)
GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES = env_int("GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES", 5, minimum=1)
GASGUARD_GATE_OTHER_STATION_MINUTES = env_int("GASGUARD_GATE_OTHER_STATION_MINUTES", 10, minimum=0)
GASGUARD_GATE_CACHE_SECONDS = env_int("GASGUARD_GATE_CACHE_SECONDS", 60, minimum=0)
GASGUARD_PUBLIC_BASE_URL = env_str("GASGUARD_PUBLIC_BASE_URL", "")  # printed in cylinder QR labels
GASGUARD_PUBLIC_SCAN_RATE = env_str("GASGUARD_PUBLIC_SCAN_RATE", "30/min")
GASGUARD_GAS_DME_MAX_PCT = env_float("GASGUARD_GAS_DME_MAX_PCT", 0.5, minimum=0.0)
GASGUARD_GAS_VAPOUR_PRESSURE_MAX_KPA = env_float("GASGUARD_GAS_VAPOUR_PRESSURE_MAX_KPA", 1380.0, minimum=0.0)
GASGUARD_GAS_C5_MAX_PCT = env_float("GASGUARD_GAS_C5_MAX_PCT", 3.0, minimum=0.0)
GASGUARD_GAS_SULPHUR_MAX_MG_M3 = env_float("GASGUARD_GAS_SULPHUR_MAX_MG_M3", 343.0, minimum=0.0)
GASGUARD_REVISIT_GENERAL_SHARE = env_float("GASGUARD_REVISIT_GENERAL_SHARE", 0.2, minimum=0.0)
GASGUARD_REVISIT_AFTER_DAYS = env_int("GASGUARD_REVISIT_AFTER_DAYS", 90, minimum=1)
GASGUARD_ESCALATION_REMIND_DAYS = env_int("GASGUARD_ESCALATION_REMIND_DAYS", 3, minimum=0)
GASGUARD_ESCALATION_SUPERVISOR_DAYS = env_int("GASGUARD_ESCALATION_SUPERVISOR_DAYS", 0, minimum=0)
GASGUARD_ESCALATION_TASKFORCE_DAYS = env_int("GASGUARD_ESCALATION_TASKFORCE_DAYS", 7, minimum=0)
GASGUARD_DEMO_PASSWORD = env_str("GASGUARD_DEMO_PASSWORD", "GasGuard#2023")
GASGUARD_AUDIT_HASH = env_str("GASGUARD_AUDIT_HASH", "")  # '' = SM3 when available, else SHA-256

# --- public reports (举报) and notifications (tips / notifications apps) ---
GASGUARD_PUBLIC_BASE_URL = env_str("GASGUARD_PUBLIC_BASE_URL", "")  # e.g. https://gas.example.gov.cn
GASGUARD_FIELD_KEY = env_str("GASGUARD_FIELD_KEY", "")  # '' = derived from SECRET_KEY
GASGUARD_TRUST_X_FORWARDED_FOR = env_bool("GASGUARD_TRUST_X_FORWARDED_FOR", False)
GASGUARD_TIP_RATE_PER_MIN = env_int("GASGUARD_TIP_RATE_PER_MIN", 5, minimum=1)
GASGUARD_TIP_RATE_PER_DAY = env_int("GASGUARD_TIP_RATE_PER_DAY", 30, minimum=1)
GASGUARD_TIP_STATUS_RATE_PER_MIN = env_int("GASGUARD_TIP_STATUS_RATE_PER_MIN", 20, minimum=1)
GASGUARD_OPEN311_RATE_PER_MIN = env_int("GASGUARD_OPEN311_RATE_PER_MIN", 120, minimum=1)
GASGUARD_TIP_MAX_PHOTOS = env_int("GASGUARD_TIP_MAX_PHOTOS", 5, minimum=0, maximum=20)
GASGUARD_TIP_PHOTO_MAX_MB = env_int("GASGUARD_TIP_PHOTO_MAX_MB", 10, minimum=1)
GASGUARD_TIP_DESCRIPTION_MAX = env_int("GASGUARD_TIP_DESCRIPTION_MAX", 2000, minimum=50)
GASGUARD_TIP_DEDUPE_RADIUS_M = env_int("GASGUARD_TIP_DEDUPE_RADIUS_M", 50, minimum=1)
GASGUARD_TIP_DEDUPE_DAYS = env_int("GASGUARD_TIP_DEDUPE_DAYS", 30, minimum=1)
GASGUARD_TIP_REWARD_GENERAL = env_int("GASGUARD_TIP_REWARD_GENERAL", 300, minimum=0)
GASGUARD_TIP_REWARD_MAJOR = env_int("GASGUARD_TIP_REWARD_MAJOR", 5000, minimum=0)
GASGUARD_TIP_REWARD_MIN = env_int("GASGUARD_TIP_REWARD_MIN", 100, minimum=0)
GASGUARD_TIP_REWARD_MAX = env_int("GASGUARD_TIP_REWARD_MAX", 500000, minimum=0)
GASGUARD_TIP_HOTLINE = env_str("GASGUARD_TIP_HOTLINE", "12345")
GASGUARD_NOTIFY_SEND_ON_COMMIT = env_bool("GASGUARD_NOTIFY_SEND_ON_COMMIT", True)
GASGUARD_NOTIFY_TIMEOUT_SECONDS = env_int("GASGUARD_NOTIFY_TIMEOUT_SECONDS", 5, minimum=1)
GASGUARD_NOTIFY_MAX_ATTEMPTS = env_int("GASGUARD_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
GASGUARD_NOTIFY_BACKOFF_SECONDS = env_int("GASGUARD_NOTIFY_BACKOFF_SECONDS", 60, minimum=1)
GASGUARD_NOTIFY_BACKOFF_MAX_SECONDS = env_int("GASGUARD_NOTIFY_BACKOFF_MAX_SECONDS", 3600, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# City-lifeline monitoring (monitoring app; DOMAIN.md §4, §7 — alarm grades are Unconfirmed
# nationally, so the defaults below are configurable; see docs/monitoring.md)
GASGUARD_MONITORING_METHANE_L1_LEL = env_float("GASGUARD_MONITORING_METHANE_L1_LEL", 20.0, minimum=0.0)
GASGUARD_MONITORING_METHANE_L2_LEL = env_float("GASGUARD_MONITORING_METHANE_L2_LEL", 25.0, minimum=0.0)
GASGUARD_MONITORING_PRESSURE_DROP_PCT = env_float("GASGUARD_MONITORING_PRESSURE_DROP_PCT", 20.0, minimum=0.0)
GASGUARD_MONITORING_LOW_BATTERY_PCT = env_float("GASGUARD_MONITORING_LOW_BATTERY_PCT", 20.0, minimum=0.0)
GASGUARD_MONITORING_OFFLINE_MINUTES = env_int("GASGUARD_MONITORING_OFFLINE_MINUTES", 30, minimum=1)
GASGUARD_MONITORING_ACK_SLA_MINUTES = env_int("GASGUARD_MONITORING_ACK_SLA_MINUTES", 5, minimum=1)
GASGUARD_MONITORING_ESCALATE_TASKFORCE_MINUTES = env_int(
    "GASGUARD_MONITORING_ESCALATE_TASKFORCE_MINUTES", 15, minimum=1
)
GASGUARD_MONITORING_MAX_PAYLOAD_BYTES = env_int(
    "GASGUARD_MONITORING_MAX_PAYLOAD_BYTES", 1024 * 1024, minimum=1024
)
GASGUARD_MONITORING_FUTURE_SECONDS = env_int("GASGUARD_MONITORING_FUTURE_SECONDS", 300, minimum=0)
GASGUARD_MONITORING_PAST_DAYS = env_int("GASGUARD_MONITORING_PAST_DAYS", 7, minimum=1)
GASGUARD_MONITORING_DEADLETTER_CHARS = env_int("GASGUARD_MONITORING_DEADLETTER_CHARS", 4096, minimum=64)
GASGUARD_MONITORING_RECEIVE_MAXIMUM = env_int(
    "GASGUARD_MONITORING_RECEIVE_MAXIMUM", 500, minimum=1, maximum=65535
)
GASGUARD_MONITORING_BATCH_READINGS = env_int("GASGUARD_MONITORING_BATCH_READINGS", 5000, minimum=1)
GASGUARD_MONITORING_FLUSH_MS = env_int("GASGUARD_MONITORING_FLUSH_MS", 200, minimum=1)
GASGUARD_MONITORING_RETENTION_DAYS = env_int("GASGUARD_MONITORING_RETENTION_DAYS", 90, minimum=8)
# 检查规则库 (rules app; thresholds DOMAIN.md marks C-sec / M — defaults, see docs/rules.md)
GASGUARD_RULES_OVERRIDE = env_str("GASGUARD_RULES_OVERRIDE", "")
GASGUARD_CYLINDER_APPLIANCE_MIN_DISTANCE_M = env_float(
    "GASGUARD_CYLINDER_APPLIANCE_MIN_DISTANCE_M", 0.5, minimum=0.0
)
GASGUARD_KITCHEN_VENT_MIN_AREA_M2 = env_float("GASGUARD_KITCHEN_VENT_MIN_AREA_M2", 0.6, minimum=0.0)
GASGUARD_CYLINDER_ROOM_ADJOINING_MAX_KG = env_float(
    "GASGUARD_CYLINDER_ROOM_ADJOINING_MAX_KG", 420.0, minimum=0.0
)
GASGUARD_CYLINDER_ROOM_MIN_HEIGHT_M = env_float("GASGUARD_CYLINDER_ROOM_MIN_HEIGHT_M", 2.2, minimum=0.0)
GASGUARD_REGULATOR_SERVICE_YEARS = env_float("GASGUARD_REGULATOR_SERVICE_YEARS", 5.0, minimum=0.0)
GASGUARD_RUBBER_HOSE_SERVICE_YEARS = env_float("GASGUARD_RUBBER_HOSE_SERVICE_YEARS", 2.0, minimum=0.0)
GASGUARD_DETECTOR_SERVICE_YEARS_COMMERCIAL = env_float(
    "GASGUARD_DETECTOR_SERVICE_YEARS_COMMERCIAL", 3.0, minimum=0.0
)
GASGUARD_DETECTOR_SERVICE_YEARS_HOUSEHOLD = env_float(
    "GASGUARD_DETECTOR_SERVICE_YEARS_HOUSEHOLD", 5.0, minimum=0.0
)
GASGUARD_CYLINDER_STAMP_MIN_DEPTH_MM = env_float("GASGUARD_CYLINDER_STAMP_MIN_DEPTH_MM", 0.7, minimum=0.0)
