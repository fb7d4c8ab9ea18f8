"""Settings for the Commissioning Portal, read from the environment.

DEBUG defaults to off. With DEBUG off the portal refuses to start without a
real SECRET_KEY and ALLOWED_HOSTS, so a forgotten variable fails loudly.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal.unfold import UNFOLD  # noqa: F401  (read by django-unfold)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# nosec B105: a public placeholder that the checks below refuse whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # nosec B105
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a real secret when DEBUG is off "
            "(the development key is refused)."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 random characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names.")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.guardian",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "guardian",
    "portal",
    "registers",
]

MIDDLEWARE = [
    # Outermost, so every response carries the policy: static files, redirects, errors.
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registers.middleware.PermissionCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, so a timed-out user is told why on the sign-in page.
    "portal.middleware.session_timeouts.SessionTimeoutMiddleware",
    "portal.middleware.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves static files through WhiteNoise; runserver and the
    # tests' live server use Django's own static files handler.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with one query for a user's role permissions.
    "registers.auth_backends.RolePermissionBackend",
    "guardian.backends.ObjectPermissionBackend",
    "registers.auth_backends.ParentObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user, nobody browses anonymously
GUARDIAN_RAISE_403 = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Second factor (django-otp): required unless REQUIRE_MFA says otherwise; on by
# default whenever DEBUG is off. `make run` turns it off for the demo.
REQUIRE_MFA = env.bool("REQUIRE_MFA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Commissioning Portal")
MFA_RECOVERY_CODES = 10
# Passkeys (django-otp-webauthn) as a second factor only, never instead of the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Commissioning Portal"
OTP_WEBAUTHN_RP_ID = env.str(
    "OTP_WEBAUTHN_RP_ID", default=(ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost").strip(".")
)
# The development server's port (`make run PORT=8010`): the printed address follows it.
PORT = env.int("PORT", default=8000)
# The portal's address, for links in emails (the daily digest links to its lists).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default=f"http://127.0.0.1:{PORT}")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    default=[f"https://{host.strip('.')}" for host in ALLOWED_HOSTS if host not in ("*", "[::1]")]
    + ([f"http://localhost:{port}" for port in (8000, PORT)] if DEBUG else []),
)

# Lockout (django-axes): by username and, separately, by client address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "registers.second_factor_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
AXES_ENABLE_ADMIN = False  # managers use the portal's sign-in security page
AXES_VERBOSE = False
# Addresses or networks of the reverse proxies whose X-Forwarded-For is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# UK conventions: en-GB, Europe/London, DD/MM/YYYY only (plus ISO).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (UK)")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]
CURRENCY_SYMBOL = "£"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: spreadsheets are capped by the importer's own limits below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="commissioning-portal@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Signed out after this long without a request, and this long after signing in.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE
SESSION_WARNING_SECONDS = 120  # the "about to be signed out" warning comes this early
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp). The portal has no inline script: its own
# code is in static files, and a template that ever needs one uses {{ CSP_NONCE }}.
# 'unsafe-eval' is there only because Unfold bundles the standard Alpine.js build,
# which compiles the x-data / x-on expressions in Unfold's templates with
# new Function(); Alpine's CSP build cannot run those expressions. Styles allow
# inline because Unfold and Alpine set style attributes; scripts never do.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Console lines in development; one JSON object a line in production (LOG_FORMAT overrides).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "portal.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs seven progress steps per PDF at INFO: its warnings are enough.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

# django-simple-history: the admin attaches the user; imports pass it explicitly.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

# django-import-export: import_<model> / export_<model> permissions gate both.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Spreadsheet import limits.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=2000)
IMPORT_PREVIEW_ROWS = 50
# Imports of more rows than this run on a worker with a progress bar; smaller
# ones stay in the request (under about 2 s at the README's measured rates).
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2000)
# An upload larger than this is checked (previewed) on a worker as well, so no
# request parses a large file: 256 KiB is about 2,500 rows of a register's
# spreadsheet, or 800 rows of Ofsted's widest file.
IMPORT_PREVIEW_BACKGROUND_BYTES = env.int("IMPORT_PREVIEW_BACKGROUND_BYTES", default=256 * 1024)
# A background import with no progress for this long says its worker may have stopped.
IMPORT_STALLED_MINUTES = env.int("IMPORT_STALLED_MINUTES", default=10)

# Background tasks (django-tasks). The embedded default keeps the queue in the
# portal's own database (django-tasks-db: no extra service; run `manage.py
# db_worker`). A regional install can name another backend here by setting.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# An export of more rows than this is written by a worker, with a progress bar;
# its file is kept for its user to download for EXPORT_KEEP_HOURS (the daily job).
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=5000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# An upload awaiting confirmation is deleted after this long (the daily job).
IMPORT_HELD_HOURS = env.int("IMPORT_HELD_HOURS", default=24)

# Quality assurance rules (manual 003), all overridable.
# The council's area: an import's report lists new settings in these local
# authorities (comma-separated names; empty means every authority).
HOME_LOCAL_AUTHORITIES = env.list("HOME_LOCAL_AUTHORITIES", default=[])
# Quarters of contract reviews, the Transparency Code export and reports: financial
# (Q1 is April to June, as English councils report) or calendar (Q1 is January to March).
REPORTING_QUARTERS = env.str("REPORTING_QUARTERS", default="financial").strip().lower()
if REPORTING_QUARTERS not in {"financial", "calendar"}:
    raise ImproperlyConfigured("REPORTING_QUARTERS must be 'financial' or 'calendar'.")
OFSTED_STALE_AFTER_MONTHS = env.int("OFSTED_STALE_AFTER_MONTHS", default=18)
RISK_VISIT_WORKING_DAYS = {
    "inadequate": env.int("RISK_VISIT_DAYS_INADEQUATE", default=10),
    "requires_improvement": env.int("RISK_VISIT_DAYS_RI", default=30),
}
NEXT_VISIT_MONTHS = {
    "inadequate": 3,
    "requires_improvement": 6,
    "good": 12,
    "outstanding": 18,
    None: 6,
}
CONCERN_NEXT_VISIT_MONTHS = 1
# No concern stage lasts longer (manual 003); read only through models/concerns.py stage_limit.
CONCERN_STAGE_DAYS = env.int("CONCERN_STAGE_DAYS", default=10)
# A risk visit after a compliance notice or restriction on accommodation, in working days.
ENFORCEMENT_RISK_VISIT_WORKING_DAYS = env.int("ENFORCEMENT_RISK_VISIT_DAYS", default=10)
# Empty: every active user in the Manager group with an email address.
RI_NOTIFICATION_RECIPIENTS = env.list("RI_NOTIFICATION_RECIPIENTS", default=[])
RI_NOTIFICATION_SUBJECT_TEMPLATE = "registers/email/ri_digest_subject.txt"
RI_NOTIFICATION_BODY_TEMPLATE = "registers/email/ri_digest_body.txt"

# Contracts register (manual 003, Transparency Code 2015, seeds 000/001).
RECOMMISSIONING_LEAD_MONTHS = env.int("RECOMMISSIONING_LEAD_MONTHS", default=9)
TRANSPARENCY_THRESHOLD = 5000
SPOT_FUND_CAP_CHILD = env.int("SPOT_FUND_CAP_CHILD", default=2500)
SPOT_FUND_CAP_GROUP = env.int("SPOT_FUND_CAP_GROUP", default=4950)

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo")

# Compliance documents: the windows of the expiring lists, and of the daily digest.
COMPLIANCE_EXPIRY_WINDOWS = (30, 60, 90)
COMPLIANCE_DIGEST_DAYS = 30
# Placement checks (manual 003): crisis placements last 28 to 90 days, a holiday
# away from a regulated placement at most 28; both are flagged this many days before
# they end.
PLACEMENT_CRISIS_MIN_DAYS = 28
PLACEMENT_CRISIS_MAX_DAYS = 90
PLACEMENT_HOLIDAY_MAX_DAYS = 28
PLACEMENT_ENDING_SOON_DAYS = env.int("PLACEMENT_ENDING_SOON_DAYS", default=7)
# Regulation 45 quality reviews: flagged when the latest period ended longer ago than this.
REG45_OVERDUE_MONTHS = 6
# Visit reports: the provider's response is due this many working days after issue.
VISIT_REPORT_RESPONSE_DAYS = env.int("VISIT_REPORT_RESPONSE_DAYS", default=10)
# A children's home in use with no Regulation 44 report for this many months in a
# row (up to last month) comes first in the visit schedule.
REG44_MISSING_RUN_MONTHS = env.int("REG44_MISSING_RUN_MONTHS", default=2)

# Brokerage (seed 004): the address providers' personal links start with, working
# days they have to respond, and how often one address or link may ask.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
REFERRAL_RESPONSE_DAYS = env.int("REFERRAL_RESPONSE_DAYS", default=5)
REFERRAL_URGENT_RESPONSE_DAYS = env.int("REFERRAL_URGENT_RESPONSE_DAYS", default=2)
RESPOND_RATE_LIMIT = env.int("RESPOND_RATE_LIMIT", default=30)  # requests per 10 minutes
# Summer play schemes (Annex 1): at most this many days, and open cases apply by this
# day and month of the scheme's year.
PLAY_SCHEME_MAX_DAYS = env.int("PLAY_SCHEME_MAX_DAYS", default=5)
PLAY_SCHEME_CLOSING_DAY = env.str("PLAY_SCHEME_CLOSING_DAY", default="01/03")
