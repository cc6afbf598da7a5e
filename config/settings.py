"""Steward's one settings module. Every value comes from the environment (steward.core.env);
with no variables at all it runs on SQLite in ./var. Nothing exists only in production."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from steward.core.env import (
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    secret_in_data_dir,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("STEWARD_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_secret("SECRET_KEY") or secret_in_data_dir(DATA_DIR, "secret_key")
DEBUG = env_bool("STEWARD_DEBUG", False)
ALLOWED_HOSTS = env_list("STEWARD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("STEWARD_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("STEWARD_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_tasks_db",
    "ninja",  # its templates and bundled Swagger UI: the API docs work offline
    "steward.core",
    "steward.crypto",
    "steward.audit",
    "steward.inventory",
    "steward.detection",
    "steward.staff",
    "steward.contacts",
    "steward.activities",
    "steward.deals",
    "steward.children",
    "steward.processing",
    "steward.consent",
    "steward.erasure",
    "steward.rights",
    "steward.portal",
    "steward.email",
    "steward.imports",
    "steward.api",
    "steward.dashboard",
    "steward.demo",
    "steward.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "steward.staff.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "steward.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts, then the second-factor gate (steward.staff).
    "steward.staff.middleware.SessionTimeoutMiddleware",
    "steward.staff.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "steward" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

_DEFAULT_DB = f"sqlite:///{DATA_DIR / 'steward.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _DEFAULT_DB)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web workers read while the task worker writes; IMMEDIATE transactions
    # take the write lock up front so two writers queue instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-32768;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("STEWARD_DB_CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Field encryption (steward.crypto, docs/decisions/0018-field-encryption.md). The master keys
# that wrap every person's data key: "file" (a 0600 key file in the data dir, created on first
# run), "env" (STEWARD_MASTER_KEYS or STEWARD_MASTER_KEYS_FILE), or the dotted path of a
# MasterKeyProvider for an external key service.
STEWARD_MASTER_KEY_PROVIDER = env_str("STEWARD_MASTER_KEY_PROVIDER", "file")
STEWARD_MASTER_KEY_FILE = env_str("STEWARD_MASTER_KEY_FILE", str(DATA_DIR / "master.keys"))
STEWARD_BLIND_INDEX_KEY_FILE = env_str(
    "STEWARD_BLIND_INDEX_KEY_FILE", str(DATA_DIR / "blind_index.key")
)
STEWARD_CRYPTO_KEY_CACHE_SIZE = env_int("STEWARD_CRYPTO_KEY_CACHE_SIZE", 10_000)
STEWARD_CRYPTO_KEY_CACHE_SECONDS = env_int("STEWARD_CRYPTO_KEY_CACHE_SECONDS", 120)
# The wrapped data keys in a database of their own, backed up apart from the data, so that
# destroying a person's key also reaches old data backups (steward.crypto.router).
_KEYS_DATABASE_URL = env_str("STEWARD_KEYS_DATABASE_URL")
if _KEYS_DATABASE_URL:
    DATABASES["keys"] = dj_database_url.parse(_KEYS_DATABASE_URL)
    if DATABASES["keys"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["keys"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
DATABASE_ROUTERS = ["steward.crypto.router.KeysRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["steward.staff.backends.StaffBackend"]

PASSWORD_HASHERS = [
    # Argon2id first (OWASP parameters); older hashes are upgraded at the next login.
    "steward.staff.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A shared cache (database by default, Redis when configured): rate limits and one-time
# markers must hold across every web and worker process, which a per-process cache breaks.
_REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "steward_cache",
        }
    )
}

# Staff sign-in (steward.staff, docs/decisions/0016-login-and-mfa.md). Roles that must use a
# second factor (TOTP or WebAuthn); an empty value requires it of nobody.
STEWARD_MFA_REQUIRED_ROLES = frozenset(
    env_list("STEWARD_MFA_REQUIRED_ROLES", ["administrator", "dpo"])
)
# WebAuthn relying party: the host name and origin staff sign in at (default: SITE_URL's).
STEWARD_WEBAUTHN_RP_ID = env_str("STEWARD_WEBAUTHN_RP_ID")
STEWARD_WEBAUTHN_ORIGIN = env_str("STEWARD_WEBAUTHN_ORIGIN")
# The client address sign-in throttling counts by: behind the proxies gunicorn trusts
# (STEWARD_FORWARDED_ALLOW_IPS, as `steward serve` reads it), the nearest address in
# X-Forwarded-For that is not one of them; or the header named by STEWARD_CLIENT_IP_HEADER
# (e.g. X-Real-IP) when the proxy sets one; else REMOTE_ADDR.
STEWARD_TRUSTED_PROXIES = env_list("STEWARD_FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
STEWARD_CLIENT_IP_HEADER = env_str("STEWARD_CLIENT_IP_HEADER")
# A session ends after this long without a request, and this long after the password was
# given whatever happens in between (seconds).
STEWARD_SESSION_IDLE_TIMEOUT = env_int("STEWARD_SESSION_IDLE_TIMEOUT", 30 * 60)
STEWARD_SESSION_ABSOLUTE_TIMEOUT = env_int(
    "STEWARD_SESSION_ABSOLUTE_TIMEOUT", env_int("STEWARD_SESSION_AGE", 12 * 3600)
)

# HTTPS: on when the site is served over https (STEWARD_HTTPS, default from SITE_URL). It turns
# on the redirect to https, HSTS and secure cookies. Behind a TLS-terminating proxy, set
# STEWARD_PROXY_SSL_HEADER=true so that the proxy's X-Forwarded-Proto is trusted (the proxy
# must overwrite it).
STEWARD_HTTPS = env_bool("STEWARD_HTTPS", SITE_URL.startswith("https://"))
SECURE_SSL_REDIRECT = STEWARD_HTTPS
if env_bool("STEWARD_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("STEWARD_HSTS_SECONDS", 365 * 24 * 3600) if STEWARD_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("STEWARD_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("STEWARD_HSTS_PRELOAD", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The cookie and the stored session live as long as the absolute timeout allows.
SESSION_COOKIE_AGE = STEWARD_SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SECURE = env_bool("STEWARD_SECURE_COOKIES", STEWARD_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content security policy: scripts, styles, images and fonts from this site only, no inline
# script, no plugins, no framing, forms post only here. Inline style *attributes* are allowed
# (a page sets a CSS variable that way); they cannot run code. Pages needing an inline script
# use the per-request nonce (CSP.NONCE, {{ csp_nonce }}).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("STEWARD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise warns about a missing directory until the first collectstatic: create it upfront.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded imports can be large (100 MB and more): stream them to disk, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
STEWARD_IMPORT_MAX_BYTES = env_int("STEWARD_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Uploaded import files are deleted when their import ends; the per-row report (which quotes
# rows) and files of abandoned imports are deleted after this many days.
STEWARD_IMPORT_RETENTION_DAYS = env_int("STEWARD_IMPORT_RETENTION_DAYS", 7)

# Outgoing mail (Django's MAILERS). Without STEWARD_EMAIL_HOST, messages are written as files
# into the data dir's outbox, so a laptop install neither fails nor sends anything unexpectedly;
# `check --deploy` flags that as not production-ready.
_EMAIL_HOST = env_str("STEWARD_EMAIL_HOST")
if _EMAIL_HOST:
    _EMAIL_PORT = env_int("STEWARD_EMAIL_PORT", 587)
    _MAILER = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _EMAIL_HOST,
            "port": _EMAIL_PORT,
            "username": env_str("STEWARD_EMAIL_USER"),
            "password": env_secret("STEWARD_EMAIL_PASSWORD"),
            "use_tls": env_bool("STEWARD_EMAIL_TLS", _EMAIL_PORT == 587),
            "use_ssl": env_bool("STEWARD_EMAIL_SSL", _EMAIL_PORT == 465),
            "timeout": env_int("STEWARD_EMAIL_TIMEOUT", 30),
        },
    }
else:
    _MAILER = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
    }
MAILERS = {"default": _MAILER}
DEFAULT_FROM_EMAIL = env_str("STEWARD_EMAIL_FROM", "Steward <steward@example.com>")
# Marketing mail (steward.email campaigns, consent basis) leaves through a mailer of its own,
# so transactional mail (sign-up confirmations, service messages: contract basis) never shares
# its relay, reputation or throttle. STEWARD_MARKETING_EMAIL_HOST and friends; without them,
# the same transport as the default mailer.
_MARKETING_HOST = env_str("STEWARD_MARKETING_EMAIL_HOST")
if _MARKETING_HOST:
    _MARKETING_PORT = env_int("STEWARD_MARKETING_EMAIL_PORT", 587)
    MAILERS["marketing"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _MARKETING_HOST,
            "port": _MARKETING_PORT,
            "username": env_str("STEWARD_MARKETING_EMAIL_USER"),
            "password": env_secret("STEWARD_MARKETING_EMAIL_PASSWORD"),
            "use_tls": env_bool("STEWARD_MARKETING_EMAIL_TLS", _MARKETING_PORT == 587),
            "use_ssl": env_bool("STEWARD_MARKETING_EMAIL_SSL", _MARKETING_PORT == 465),
            "timeout": env_int("STEWARD_MARKETING_EMAIL_TIMEOUT", 30),
        },
    }
else:
    MAILERS["marketing"] = {**_MAILER, "OPTIONS": dict(_MAILER["OPTIONS"])}
STEWARD_MARKETING_FROM = env_str("STEWARD_MARKETING_FROM", DEFAULT_FROM_EMAIL)
# RFC 8058 / RFC 2369: the mailto: of List-Unsubscribe (an inbox someone reads or a processor).
STEWARD_UNSUBSCRIBE_MAILTO = env_str("STEWARD_UNSUBSCRIBE_MAILTO", "unsubscribe@example.com")
# Campaign sending: messages per second through the marketing mailer (per worker).
STEWARD_CAMPAIGN_RATE = env_int("STEWARD_CAMPAIGN_RATE", 20)
# Double opt-in (steward.email): hours a confirmation link is valid (unconfirmed sign-ups are
# deleted after it), sign-ups per client address per minute, and re-sends per sign-up.
STEWARD_SIGNUP_TTL_HOURS = env_int("STEWARD_SIGNUP_TTL_HOURS", 48)
STEWARD_SIGNUP_RATE_LIMIT = env_int("STEWARD_SIGNUP_RATE_LIMIT", 10)
STEWARD_SIGNUP_MAX_SENDS = env_int("STEWARD_SIGNUP_MAX_SENDS", 3)

TASKS = {
    "default": {
        "BACKEND": env_str("STEWARD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Who may see which records: "all" staff see every record, "team" limits sales, marketing,
# support and read-only users to their team's and their own records, "owner" to their own.
STEWARD_RECORD_SCOPE = env_str("STEWARD_RECORD_SCOPE", "team")

# Unusual access (steward.audit.security): a user reading or exporting more records in an hour
# than FACTOR times their average per active hour over BASELINE_DAYS, and more than FLOOR.
STEWARD_READ_ALERT_FLOOR = env_int("STEWARD_READ_ALERT_FLOOR", 1000)
STEWARD_READ_ALERT_FACTOR = env_int("STEWARD_READ_ALERT_FACTOR", 5)
STEWARD_READ_ALERT_BASELINE_DAYS = env_int("STEWARD_READ_ALERT_BASELINE_DAYS", 14)

# The controller, as the record of processing names it (Art. 30(1)(a)): name and contact
# details, the data protection officer, and the representative in the Union of a controller
# established outside it (Art. 27; empty when there is none). The defaults are an invented
# company, so an install that never set them says so in its record.
STEWARD_CONTROLLER_NAME = env_str("STEWARD_CONTROLLER_NAME", "Example Trading Ltd")
STEWARD_CONTROLLER_ADDRESS = env_str(
    "STEWARD_CONTROLLER_ADDRESS", "1 Example Street, 10115 Berlin, Germany"
)
STEWARD_CONTROLLER_EMAIL = env_str("STEWARD_CONTROLLER_EMAIL", "privacy@example.com")
STEWARD_DPO_NAME = env_str("STEWARD_DPO_NAME", "Data Protection Officer, Example Trading Ltd")
STEWARD_DPO_EMAIL = env_str("STEWARD_DPO_EMAIL", "dpo@example.com")
STEWARD_REPRESENTATIVE = env_str("STEWARD_REPRESENTATIVE", "")

# The website's cookie banner (steward.consent): the company's sites allowed to send cookie
# choices to /consent/cookies/choice (scheme://host[:port], comma-separated; Steward's own
# origin always is), and how many choices one address may send per minute.
STEWARD_SITE_ORIGINS = env_list("STEWARD_SITE_ORIGINS", [])
STEWARD_COOKIE_RATE_LIMIT = env_int("STEWARD_COOKIE_RATE_LIMIT", 30)

# People's rights (steward.rights, the portal at /privacy): how many days before a request's
# due date its assignee (or the DPO) is reminded; public holidays (ISO dates, comma-separated)
# on which no deadline ends (Regulation 1182/71 Art. 3(4); weekends always count as such);
# how long the portal's links live (verification: single use; status; export download);
# how many portal forms one address may send per hour.
STEWARD_RIGHTS_REMIND_DAYS = env_int("STEWARD_RIGHTS_REMIND_DAYS", 7)
STEWARD_RIGHTS_HOLIDAYS = env_list("STEWARD_RIGHTS_HOLIDAYS", [])
STEWARD_RIGHTS_VERIFY_LINK_HOURS = env_int("STEWARD_RIGHTS_VERIFY_LINK_HOURS", 48)
STEWARD_RIGHTS_STATUS_LINK_DAYS = env_int("STEWARD_RIGHTS_STATUS_LINK_DAYS", 120)
STEWARD_RIGHTS_DOWNLOAD_LINK_MINUTES = env_int("STEWARD_RIGHTS_DOWNLOAD_LINK_MINUTES", 10)
STEWARD_RIGHTS_EXPORT_DAYS = env_int("STEWARD_RIGHTS_EXPORT_DAYS", 30)
STEWARD_PORTAL_RATE_LIMIT = env_int("STEWARD_PORTAL_RATE_LIMIT", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("STEWARD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
