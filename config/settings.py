"""Tandem settings: one module, driven by the environment.

Defaults give the embedded local run (SQLite, a filesystem Celery broker, a file cache). Setting
DATABASE_URL / REDIS_URL switches to PostgreSQL and Redis. With DEBUG off the process refuses to
start without a real SECRET_KEY.

A `.env` file in the checkout is read too (`make run` writes one once: DEBUG on and a secret of
this checkout), so every `manage.py` command works in a checkout where `make run` has run. The
environment wins over it, and the test suite, which brings its whole environment, never reads it.
"""

import datetime
import ipaddress
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
if (BASE_DIR / ".env").is_file() and "pytest" not in sys.modules:
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # what the environment says stands
VAR_DIR = Path(environ.Env().str("TANDEM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in e-mails; unset, they follow where `make run` listens (HOST, PORT). A wildcard HOST
# listens everywhere, this machine included.
_SITE_HOST = env.str("HOST", default="127.0.0.1")
_WILDCARDS = ("", "0.0.0.0", "::", "[::]")  # noqa: S104 (compared, not bound)
_SITE_HOST = "127.0.0.1" if _SITE_HOST in _WILDCARDS else _SITE_HOST
SITE_URL = env.str(
    "SITE_URL", default=f"http://{_SITE_HOST}:{env.str('PORT', default='8000')}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "csp",
    # The mail outbox (before partnership, whose admin refines post_office's).
    "post_office",
    "accounts",
    "partnership",
    "places",
    "kpis",
    "sti",
    "messaging",
    # Last: it orchestrates the feature apps above (and its demo seeder needs theirs first).
    "reviews",
]

MIDDLEWARE = [
    # First: the request id and one log line per request, whatever answers it (a Bearer API
    # call, an HTTPS redirect, a static file, a 404), and its latency in /metrics.
    "partnership.observability.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the header too.
    "accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so a signed-in user's own language choice wins (no i18n URLs here).
    "accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (it says why it signed someone out) and before anything that acts on the user.
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partnership.middleware.RequireMFAMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "partnership.context_processors.tandem",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.TandemFormRenderer"

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one costs more than most requests' queries. Each is checked
# before its first use in a request (CONN_HEALTH_CHECKS), so a database restart costs no errors.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, whose health check reads the socket before it sends a query.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        # Values bound by the server instead of pasted into the SQL, so a statement's text is the
        # same whatever its values, and psycopg prepares a statement once it has run on a
        # connection more than DB_PREPARE_THRESHOLD times: PostgreSQL then plans it once per
        # connection instead of on every request (planning an API request's queries cost more
        # than running them). Off behind a pooler in transaction mode (pgbouncer without
        # max_prepared_statements), where a connection's prepared statements do not follow it.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "server_side_binding": True,
                "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=2),
            }
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run has three processes on one file (web, worker, beat). Write-ahead logging
    # lets the worker read while the web writes and the other way round, and a commit no longer
    # waits for the disk (synchronous=NORMAL: durable at the next checkpoint); a write takes its
    # lock when the transaction begins and waits its turn instead of failing as "locked" halfway.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="tandem"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # A real, cross-process cache without a server, so allauth's rate limits hold in `make run`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ----------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = str(VAR_DIR / "celery-queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
        # The exchange tables (the worker's own name among them) live with the rest of the
        # machine's state, not in the working directory (kombu's default, "control").
        "control_folder": str(VAR_DIR / "celery-control"),
    }
    # Every process (web, worker, beat, a management command) may queue a task: the folders must
    # exist before the first one does, or kombu loses the message.
    _options = CELERY_BROKER_TRANSPORT_OPTIONS
    for _folder in (_queue_dir, _options["processed_folder"], _options["control_folder"]):
        Path(_folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE = {
    "kpis-remind-missing-measurements": {
        "task": "kpis.tasks.remind_missing_measurements",
        "schedule": crontab(hour=7, minute=0),
    },
    # All review-round clock work; just after calendar.DAY_STARTS, so rounds open that morning.
    "reviews-tick": {
        "task": "reviews.tasks.tick",
        "schedule": crontab(hour=7, minute=5),
    },
    "messaging-send-digests": {
        "task": "messaging.tasks.send_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "partnership-purge-expired-invitations": {
        "task": "partnership.tasks.purge_expired_invitations",
        "schedule": crontab(hour=3, minute=15),
    },
    # The mail outbox: send what is due (new, or requeued after a failure) every minute; a run
    # the worker did not get to within the minute is dropped, the next one does the same work.
    "mail-send-queued": {
        "task": "partnership.tasks.send_queued_mail",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "mail-clean-sent": {
        "task": "partnership.tasks.clean_sent_mail",
        "schedule": crontab(hour=3, minute=45),
    },
}
# Three queues: mail (the outbox) and reports (PDF rendering) have their own, so a long report
# or a busy tick never holds up an e-mail and a burst of reports never holds up the clock;
# everything else runs on the default queue. A worker consumes only the queues its -Q names
# (without -Q only the default one): the embedded run's single worker takes all three
# ("-Q celery,mail,reports"); docker-compose and deploy/k8s/ run a worker per queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "partnership.tasks.send_queued_mail": {"queue": "mail"},
    "partnership.tasks.clean_sent_mail": {"queue": "mail"},
    "reviews.tasks.render_report": {"queue": "reports"},
}

# --- Auth and accounts (allauth) -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend that first refuses the demo password whenever DEBUG is off,
    # whatever seeded the database.
    "accounts.backends.DemoPasswordGuardBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Django's validators with Tandem's messages (accounts/passwords.py). ASVS 2.1.1: at least 12
# characters; 2.1.7: not one of Django's 20,000 breached passwords. allauth's sign-up, password
# change, set and reset, and the admin, all validate with these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset answer the same for a known and an unknown address (the owner of a
# known one gets an e-mail instead). allauth can only do so for sign-up while verification is
# mandatory, as it is with DEBUG off; accounts.checks warns when a deployment turns it off.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # The account's limit comes first: allauth checks the rates in this order and stops at the
    # first one that refuses, so attempts on an account that is already locked no longer spend
    # the IP's budget, and a colleague behind the same office NAT still signs in. The IP limit
    # (spraying many accounts) locks for at most its own minute, never longer than an account.
    "login_failed": "5/5m/key,10/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tandem] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tandem"
MFA_ADAPTER = "partnership.mfa.MFAAdapter"
# ASVS 3.3: a session ends after SESSION_IDLE_TIMEOUT seconds without a request and, however
# busy, SESSION_ABSOLUTE_LIFETIME seconds after sign-in (accounts.middleware.SessionLifetime-
# Middleware). 30 minutes is the longest idle time ASVS level 2 allows; facility managers are
# called away to rounds and meetings, and an unattended office or phone screen should not stay
# signed in to contracts and complaints longer than that. 12 hours, ASVS's level 2 maximum,
# covers a working day from the early cleaning shift on with one sign-in.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME  # the cookie and the stored session go no longer


# --- E-mail ----------------------------------------------------------------------------------
# Every e-mail (ours and allauth's) is written to the outbox (django-post-office's `Email` table)
# in the transaction that causes it; the worker sends it through the real transport, which the
# environment's EMAIL_BACKEND names (console with DEBUG, SMTP otherwise). See partnership/outbox.py.
EMAIL_BACKEND = "post_office.EmailBackend"
MAIL_TRANSPORT = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if "post_office" in MAIL_TRANSPORT:
    raise ImproperlyConfigured("EMAIL_BACKEND names the transport the outbox sends through.")
POST_OFFICE = {
    "BACKENDS": {"default": MAIL_TRANSPORT},
    # Not post_office's own Celery hook: it queues the send on commit and fails the request when
    # the broker is down. partnership.outbox queues it safely instead; the beat sweeps anyway.
    "CELERY_ENABLED": False,
    "DEFAULT_PRIORITY": "medium",
    # A failed send is retried MAX_RETRIES times, the n-th RETRY_INTERVAL * 2**(n-1) later
    # (1, 2, 4 ... 512 minutes: about 17 hours in all), then the mail is "failed".
    "MAX_RETRIES": env.int("MAIL_MAX_RETRIES", default=10),
    "RETRY_INTERVAL": datetime.timedelta(
        seconds=env.int("MAIL_RETRY_INTERVAL_SECONDS", default=60)
    ),
    "MESSAGE_ID_ENABLED": True,  # one Message-ID per mail, the same on every attempt
    "LOG_LEVEL": 2,  # a log row per attempt: the admin shows when and why
}
MAIL_RETENTION_DAYS = env.int("MAIL_RETENTION_DAYS", default=30)  # sent mail, then deleted
MAIL_FAILED_RETENTION_DAYS = env.int("MAIL_FAILED_RETENTION_DAYS", default=90)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; a hung SMTP server is a failure
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tandem <noreply@tandem.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["config.formats"]  # English with European dates
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Stored files (attachments, documents, evidence, photos, frozen reports) go to object storage
# when S3_BUCKET is set (AWS, or MinIO and the like at S3_ENDPOINT_URL), else under MEDIA_ROOT.
# The bucket stays private: a download passes the access rule, then the web node streams the
# file (S3_DOWNLOADS=stream) or redirects to a presigned URL that works for at most a minute.
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # unset: AWS itself
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_PRESIGN_SECONDS = env.int("S3_PRESIGN_SECONDS", default=60)
if not 1 <= S3_PRESIGN_SECONDS <= 60:
    raise ImproperlyConfigured(
        f"S3_PRESIGN_SECONDS must be between 1 and 60, not {S3_PRESIGN_SECONDS}: a presigned "
        "download URL lets whoever holds it fetch the file, so it lives at most a minute."
    )
S3_DOWNLOADS = env.str("S3_DOWNLOADS", default="redirect")
if S3_DOWNLOADS not in ("redirect", "stream"):
    raise ImproperlyConfigured(f"S3_DOWNLOADS must be redirect or stream, not {S3_DOWNLOADS!r}.")
_FILES = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
_FILES_ORIGINS: list[str] = []  # where a redirected download comes from (img-src below)
if S3_BUCKET:
    _FILES = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            # Unset, boto3 looks for credentials itself (environment, an instance or pod role).
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": S3_REGION,
            # No ACL on upload: objects stay as private as the bucket (a canned ACL is refused
            # by buckets whose objects belong to the bucket owner, AWS's default).
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": S3_PRESIGN_SECONDS,
            "file_overwrite": False,
            "signature_version": "s3v4",
            # S3-compatible servers (MinIO) answer under their own host, the bucket in the path.
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
        },
    }
    if S3_DOWNLOADS == "redirect" and S3_ENDPOINT_URL:
        _FILES_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(S3_ENDPOINT_URL))]
    elif S3_DOWNLOADS == "redirect":
        _FILES_ORIGINS = [
            f"https://{S3_BUCKET}.s3.amazonaws.com",
            f"https://{S3_BUCKET}.s3.{S3_REGION}.amazonaws.com",
        ]
STORAGES = {
    "default": _FILES,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partnership.mfa.PolicyBearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bounded JSON (size, depth) and strict page numbers: partnership/api_input.py.
    # JSON only (the hub's uploads add multipart): a form body cannot carry nested lists.
    "DEFAULT_PARSER_CLASSES": ["partnership.api_input.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "partnership.api_input.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["partnership.api_input.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partnership.api_errors.exception_handler",
    # DRF's per-user rate in one atomic Redis round trip (partnership/api_throttle.py).
    "DEFAULT_THROTTLE_CLASSES": ["partnership.api_throttle.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_RATE", default="1200/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Partnerships between clients and facility-services suppliers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The 400/404/413 every operation can answer (partnership/api_errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnership.api_errors.document_shared_answers",
    ],
    # Swagger UI from our own static files (no CDN), its script outside the page (strict CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields that share their choices across serializers get one named enum each.
    "ENUM_NAME_OVERRIDES": {
        "KPIStatusEnum": "kpis.serializers.STATUS_CHOICES",
        "ServicesEnum": "partnership.models.Service",
        "SideEnum": "partnership.models.Side",
        # A contact's side and the side that opened a thread: client or supplier, never the
        # facilitator. Labels as the models give them, so the override matches in every language.
        "ClientOrSupplierEnum": "messaging.serializers.CLIENT_OR_SUPPLIER",
        "RatedSideEnum": "sti.models.RatedSide",
        "RatingSideEnum": "sti.serializers.RATING_SIDE_CHOICES",
        "ThreadCategoryEnum": "messaging.models.Category",
        "ThreadStatusEnum": "messaging.models.Status",
        "DocumentCategoryEnum": "messaging.models.DocumentCategory",
        # Review rounds bring a second `state` and `kind`: name every set of each.
        "InspectionKindEnum": "kpis.models.InspectionKind",
        "SurveyStateEnum": "sti.models.SurveyState",
        "RoundStateEnum": "reviews.models.RoundState",
        "ActionStatusEnum": "reviews.models.ActionStatus",
        "ActionOriginEnum": "reviews.models.ActionOrigin",
        "AgendaKindEnum": "reviews.models.AgendaKind",
        "RoomStateEnum": "kpis.models.RoomState",
        "RoomResultStateEnum": "kpis.serializers_samples.RESULT_STATES",
    },
}

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Only behind a proxy that sets (and overwrites) these headers may they be believed: otherwise a
# client could claim HTTPS, or any IP address to escape the sign-in rate limits.
TRUST_PROXY_HEADERS = env.bool("TRUST_PROXY_HEADERS", default=False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # allauth's rate limits then count the client's address, the proxy's last X-Forwarded-For
    # entry, instead of the proxy's own (which would put every user in one bucket).
    ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# The probes and Prometheus talk plain HTTP to the node itself, inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
# Tandem uses none of the browser's powerful features (no camera, microphone, location, payment,
# USB …: photos are plain file uploads), so every one is switched off for the page and anything
# it embeds. Only names Chromium knows: an unknown one is a console error in every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *_FILES_ORIGINS],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Tandem ----------------------------------------------------------------------------------
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
KPI_REMINDER_AFTER_DAYS = env.int("KPI_REMINDER_AFTER_DAYS", default=5)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# clamd scans every upload when set: a unix socket path or tcp://host:port. Unset, nothing is
# scanned; set but unreachable, uploads are refused (fail closed).
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# How long the author of a hub message may still correct it (every earlier text is kept).
HUB_EDIT_MINUTES = env.int("HUB_EDIT_MINUTES", default=15)
DEMO_PASSWORD = "tandem-demo"

# Prometheus metrics at /metrics (partnership/observability/metrics.py): only for a Bearer
# METRICS_TOKEN or a client inside METRICS_ALLOWED_NETWORKS (CIDRs); a 404 otherwise, and while
# neither is set.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network, strict=False)
    for network in env.list("METRICS_ALLOWED_NETWORKS", default=[])
]

# One JSON object a line for the log collector (DEBUG off), or lines for a person (DEBUG on);
# every line carries the request id (partnership/observability/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT is json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnership.observability.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "partnership.observability.logs.JSONFormatter"},
        "text": {"()": "partnership.observability.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
