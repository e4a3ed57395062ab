"""Settings of the portal, read from the environment only.

Every variable has a default that runs the embedded demo on one machine: a SQLite file under
``var/``, Celery tasks executed in-process, e-mail printed to the console. Production sets
``DEBUG=false`` and then must set a real ``SECRET_KEY`` (start-up is refused otherwise) and
``ALLOWED_HOSTS``; see README.md ("Configuration") for the full list.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_email_url,
    parse_group_roles,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

# The demo key is public by construction: it is only accepted while DEBUG is on.
DEMO_SECRET_KEY = "insecure-demo-key-never-use-in-production-0c5e7b4a9d1f"
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "auditlog",
    "django_celery_beat",
    "portal",
    "capabilities",
    "initiatives",
    "risks",
    "incidents",
    "reports",
    "composition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The database session acts for the signed-in user (row-level security, portal/rls.py).
    "portal.middleware.DatabasePrincipalMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.auth.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.auth.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.AuditActorMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "composition.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded demo's SQLite file lives here
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# ``manage.py audit_prune`` deletes old audit entries through its own connection, as a member
# of the database role ``portal_audit_pruner`` that the application's role is not given
# (portal/audit/retention.py, docs/operations.md). Unset: it uses the default connection,
# which on PostgreSQL the audit trail's trigger then refuses.
if env_str("AUDIT_PRUNE_DATABASE_URL", ""):
    DATABASES["audit_prune"] = dj_database_url.parse(env_str("AUDIT_PRUNE_DATABASE_URL", ""))
# Row-level security (portal/rls.py, docs/operations.md): on PostgreSQL the web and worker
# processes connect through DATABASE_URL as ``PORTAL_DB_APP_ROLE``, a role that owns no table
# and cannot bypass the policies (``manage.py rls_roles`` creates it). DATABASE_OWNER_URL, when
# set, is the tables' owner: the maintenance commands below, run with manage.py, connect as it
# instead, and every other use can name it as the ``owner`` database.
PORTAL_DB_APP_ROLE = env_str("PORTAL_DB_APP_ROLE", "portal_app")
OWNER_COMMANDS = frozenset(
    {"migrate", "rls_roles", "rls_check", "load_reference", "seed_demo", "load_framework"}
)
if env_str("DATABASE_OWNER_URL", ""):
    DATABASES["owner"] = dj_database_url.parse(env_str("DATABASE_OWNER_URL", ""))
    if Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] and sys.argv[1] in OWNER_COMMANDS:
        DATABASES["default"] = DATABASES["owner"]
# The permission layer's ORM filter, ``restrict()``. Never read from the environment: only the
# tests that show the database's own wall holds without it switch it off.
PORTAL_ORM_RESTRICT = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in (README.md, "Sign-in"): django-axes first, so that a locked-out sign-in is refused
# before a password is checked; local passwords and OpenID Connect each answer only when enabled.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.backends.LocalPasswordBackend",
    "portal.auth.oidc.PortalOIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if not DEBUG and AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] < 12:
    raise ImproperlyConfigured("PASSWORD_MIN_LENGTH must be at least 12 when DEBUG is off.")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

#: The password form; with false only single sign-on signs in (OIDC must then be configured).
LOCAL_LOGIN_ENABLED = env_bool("LOCAL_LOGIN_ENABLED", True)

# Two-factor authentication (TOTP with recovery codes) for every role above viewer and for
# staff. On by default in production; off in the DEBUG demo so that its logins stay simple.
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cyberportal")
MFA_RECOVERY_CODES = 10

# django-axes: lock out a user name from an address after repeated failed sign-ins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, locked out or not, is kept
AXES_LOCKOUT_CALLABLE = "portal.auth.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
#: Reverse proxies in front of the portal, each adding the address it saw to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Sessions end after this many minutes without a request (portal.auth.middleware).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60

# Single sign-on with OpenID Connect (mozilla-django-oidc), on when a client id is set.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft Entra ID")
#: The provider's discovery document; the endpoints below override what it says.
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "")
OIDC_OP_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
#: ``<group id>=<organisation slug>:<role>,…``: the memberships that each group gives.
OIDC_GROUP_ROLES = parse_group_roles(
    "OIDC_GROUP_ROLES",
    env_str("OIDC_GROUP_ROLES", ""),
    roles=("sector_admin", "secretariat", "ciso", "risk_owner", "viewer"),
)
#: A single sign-on counts as two-factor when the ID token's ``amr`` claim holds ``mfa``.
OIDC_TRUST_AMR_MFA = env_bool("OIDC_TRUST_AMR_MFA", True)
#: Accounts for people signing in the first time (only with at least one mapped group).
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
if not LOCAL_LOGIN_ENABLED and not OIDC_ENABLED:
    raise ImproperlyConfigured(
        "LOCAL_LOGIN_ENABLED=false needs single sign-on: set OIDC_CLIENT_ID and the provider."
    )

# Danish first, English complete.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as each language writes them (Danish 6.4.2027, English 6 Apr 2027): portal/formats/.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

vars().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cyberportal@localhost")
# The portal's address as users reach it, for links in mails.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker the demo runs every task in-process, synchronously.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "portal"
CELERY_TIMEZONE = TIME_ZONE
# A request must not hang when Redis is down: fail fast, and the run says the queue is
# unavailable (reports.services.run_enqueue).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Schedules live in the database (django-celery-beat, editable in the admin); the static
# entries below are written into it when beat starts. Each region's quarterly risk report
# is an entry of its own (reports.schedules).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "portal.heartbeat", "schedule": 60},
    "status-reminders": {
        "task": "initiatives.send_status_reminders",
        "schedule": 60 * 60 * 24,  # daily; the task itself sends once per group and period
    },
    "report-watchdog": {
        "task": "reports.watchdog",
        "schedule": 60 * 5,
    },
    "import-watchdog": {
        "task": "risks.import_watchdog",
        "schedule": 60 * 5,
    },
    "risk-snapshots": {
        "task": "risks.take_snapshots",
        # Daily, updating the current quarter's row: the last run of a quarter is its snapshot.
        "schedule": 60 * 60 * 24,
    },
    # An acceptance that expired reopens its risk for revurdering; its owner and CISOs are
    # told once, a month before (risks.acceptance).
    "risk-acceptance-expiry": {
        "task": "risks.expire_acceptances",
        "schedule": crontab(hour=5, minute=45),  # CELERY_TIMEZONE: Copenhagen time
    },
    # "My tasks" by mail to those who chose it (composition.digest), before the working day.
    "daily-digest": {
        "task": "composition.send_daily_digests",
        "schedule": crontab(hour=6, minute=30),  # CELERY_TIMEZONE: Copenhagen time
    },
    # A reporting clock with 6 hours left, or run out: its incident's owner and CISOs are told
    # once per stage (incidents.reminders).
    "incident-reminders": {
        "task": "incidents.send_reminders",
        "schedule": 60 * 5,
    },
}

# Django REST framework and the OpenAPI schema.
REST_FRAMEWORK = {
    # Personal API tokens first: an unauthenticated request then gets 401 with
    # "WWW-Authenticate: Bearer". No password is taken by the API (no basic authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.auth.api.ApiTokenAuthentication",
        # Session authentication that answers 403 when the session still owes its second factor.
        "portal.auth.api.MfaSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.RestrictedObjectPermission"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    # JSON only in production (Swagger UI documents the API); the browsable API's forms, in
    # the demo, take their choices from the permission layer like every other form.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # "?format=xlsx|csv" names an export's file format; responses are negotiated by Accept.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cyber resilience portal API",
    "DESCRIPTION": (
        "The health-sector regions' cyber-resilience governance data. Authentication: a "
        "personal API token (apiToken: 'Authorization: Bearer cpt_…', created on the "
        "portal's account page after the second factor; read-only or read-write, expiring) "
        "or the portal's session once it has given the second factor. No endpoint takes a "
        "password. Every detail carries an ETag and PUT/PATCH honour If-Match."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DisciplineCodeEnum": "capabilities.models.discipline.Discipline.Code",
        "OrganisationKindEnum": "portal.models.organisation.Organisation.Kind",
        "LifecycleStatusEnum": "initiatives.models.status_update.LifecycleStatus",
        "RagEnum": "initiatives.models.status_update.Rag",
        "DeliverableStatusEnum": "initiatives.models.deliverable.Deliverable.Status",
        "ImplementationStatusEnum": (
            "initiatives.models.implementation.RegionalImplementation.Status"
        ),
        "WorkingGroupKindEnum": "initiatives.models.working_group.WorkingGroup.Kind",
        "AssetKindEnum": "risks.models.asset.Asset.Kind",
        "RiskLevelEnum": "risks.models.matrix.Level",
        "RiskStatusEnum": "risks.models.risk.RiskStatus",
        "TreatmentDecisionEnum": "risks.models.risk.TreatmentDecision",
        "TreatmentActionStatusEnum": "risks.models.treatment.TreatmentAction.Status",
        "AttackSurfaceEnum": "risks.models.threat.AttackSurface",
        "ConsequenceDimensionEnum": "risks.models.dimension.ConsequenceDimension",
        "AcceptorEnum": "risks.models.criteria.Acceptor",
        "DeadlineKindEnum": "incidents.reporting_rules.DeadlineKind",
        "IncidentStatusEnum": "incidents.models.incident.IncidentStatus",
        "IncidentCategoryEnum": "incidents.models.incident.IncidentCategory",
        "MaturityStatusEnum": "capabilities.models.maturity.MaturityAssessment.Status",
        "ReportKindEnum": "reports.models.run.ReportKind",
        "ReportRunStatusEnum": "reports.models.run.ReportRun.Status",
    },
}

# django-guardian: no anonymous user row; anonymous users have no object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-auditlog: the trail is append-only and kept (see portal/audit/trail.py).
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Entries are kept at least five years (at most 1,827 days): ``audit_prune`` deletes only what
# is older. A shorter retention takes an explicit, separate decision (portal/audit/retention.py).
AUDIT_RETENTION_MINIMUM_DAYS = 5 * 365 + 2
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", AUDIT_RETENTION_MINIMUM_DAYS)
AUDIT_RETENTION_BELOW_FIVE_YEARS = env_bool("AUDIT_RETENTION_BELOW_FIVE_YEARS", False)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MINIMUM_DAYS and not AUDIT_RETENTION_BELOW_FIVE_YEARS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {AUDIT_RETENTION_MINIMUM_DAYS} (five years); "
        "a shorter retention also needs AUDIT_RETENTION_BELOW_FIVE_YEARS=true."
    )

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-cyberportal")

# Status updates are reported per half-year (as in the councils' appendix) or per quarter.
REPORTING_PERIODS = env_str("REPORTING_PERIODS", "half")
if REPORTING_PERIODS not in ("half", "quarter"):
    raise ImproperlyConfigured("REPORTING_PERIODS must be half or quarter")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): no inline scripts or styles anywhere; pages load only
# their own static files. Swagger UI loads its start-up script as a file too (portal/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Uploads (the register's imports): larger files are refused with a message on the form field.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 10)
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
# The import's hard limits (risks.importexport.limits): a file beyond one is refused on the
# upload's file field, a workbook's before it is parsed.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
#: Rows × columns read, empty cells included.
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 2_500_000)
#: What a workbook may unpack to, in all and per part, and how much better than a real
#: spreadsheet a part may be compressed (Apache POI's zip-bomb threshold is the same 100).
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 200)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
#: The longest a web request may spend reading a file; a job has IMPORT_JOB_TIME_LIMIT.
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 10)
#: Files above either threshold are imported by a Celery job, with its progress on a page.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 1_000)
IMPORT_BACKGROUND_KB = env_int("IMPORT_BACKGROUND_KB", 1_024)
IMPORT_JOB_TIME_LIMIT = env_int("IMPORT_JOB_TIME_LIMIT", 900)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS in browsers for good: an operator's
        # decision for the region's domain, not the application's default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
