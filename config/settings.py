"""Kinerja settings: one file, every value from the environment.

The defaults give the embedded setup (SQLite under var/, console mail) with
DEBUG off: `make run` sets DEBUG=true, without which SECRET_KEY is required. Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and usually
DATABASE_URL=postgres://...; `manage.py check --deploy` then reports nothing.
Secrets (SECRET_KEY, DATABASE_URL, DEMO_PASSWORD, KINERJA_SIGNING_KEY_PASSWORD,
BSRE_PASSWORD) can come from a file instead: NAME_FILE=/run/secrets/name.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KINERJA_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_json(name: str, default: dict) -> dict:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {raw!r}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {raw!r}")
    return value


# A secret file holds one password or key, not a document: anything larger is a wrong path.
_SECRET_FILE_MAX_BYTES = 64 * 1024


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file that NAME_FILE names (Docker and systemd credentials).

    Keeping a password out of the environment keeps it out of `ps e`, crash reports and
    the environment of every child process. The file's trailing newline is not part of
    the secret. Setting both, or naming a file that cannot be read, fails loudly.
    """
    file_variable = f"{name}_FILE"
    path = os.environ.get(file_variable, "")
    value = os.environ.get(name)
    if not path:
        return default if value is None else value
    if value:
        raise ImproperlyConfigured(f"{name} and {file_variable} are both set: set only one")
    try:
        with open(path, "rb") as file:
            data = file.read(_SECRET_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{file_variable}: cannot read {path!r} ({exc.strerror or exc})"
        ) from None
    if len(data) > _SECRET_FILE_MAX_BYTES:
        raise ImproperlyConfigured(
            f"{file_variable}: {path!r} is larger than {_SECRET_FILE_MAX_BYTES // 1024} KiB"
        )
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ImproperlyConfigured(f"{file_variable}: {path!r} is not UTF-8 text") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: `make run` (the embedded demo) and the tests set DEBUG=true.
DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "insecure-development-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (DEBUG=true for development, as make run does)"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "kinerja.core",
    "kinerja.org",
    "kinerja.sop",
    "kinerja.workflow",
    "kinerja.documents",
    "kinerja.performance",
    "kinerja.cli",
    "kinerja.web",
    "kinerja.api",
    "kinerja.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kinerja.core.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinerja.core.passwords.PasswordHashingBusyMiddleware",
    "kinerja.core.sessions.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# One setting switches the database. SQLite runs in WAL mode with immediate
# transactions so that concurrent writers wait for each other instead of
# failing with "database is locked" halfway through a request.
# The address holds the database password: DATABASE_URL_FILE keeps it out of the environment.
DATABASE_URL = env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kinerja.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and a statement sent a few times on a connection kept
    # open (DB_CONN_MAX_AGE) is prepared: PostgreSQL then skips parsing and planning it,
    # most of the time of an action's short statements (bench/workflow.py). Off behind a
    # pooler that cannot carry prepared statements (PgBouncer in transaction mode < 1.21).
    _db["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if _db["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # No JIT compilation: it pays off for long analytic queries, not for a page's short
    # ones, but PostgreSQL starts it by the planner's estimate, and one pessimistic estimate
    # (a read scope's UNION at national scale) spent 2.1 s compiling a 30-row list.
    _db.setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at OWASP's 19 MiB (not Django's 100 MiB), at most a few hashes at once per
# process; a log-in that finds them all busy for the wait gets 503 "try again" (see the
# module). Hashes made with Django's parameters still verify and are stored again.
PASSWORD_HASHERS = [
    "kinerja.core.passwords.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
KINERJA_PASSWORD_HASH_CONCURRENCY = env_int("KINERJA_PASSWORD_HASH_CONCURRENCY", 4)
KINERJA_PASSWORD_HASH_WAIT = env_int("KINERJA_PASSWORD_HASH_WAIT", 2)  # seconds
if KINERJA_PASSWORD_HASH_CONCURRENCY < 1 or KINERJA_PASSWORD_HASH_WAIT < 0:
    raise ImproperlyConfigured(
        "KINERJA_PASSWORD_HASH_CONCURRENCY must be at least 1 and KINERJA_PASSWORD_HASH_WAIT "
        "at least 0"
    )
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: after repeated failures, lock a known user at that address, or the address
# for unknown usernames (kinerja/core/logins.py). Behind a reverse proxy the address is the
# client's only when TRUSTED_PROXY_COUNT says how many proxies append to X-Forwarded-For.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = "kinerja.core.logins.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "kinerja.core.logins.client_address"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# Indonesian first, English by a switch on every page.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kinerja" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Makassar")  # Kota Banjarbaru, WITA
USE_I18N = True
USE_TZ = True
# Dates and times in one format on every page and in the administration (kinerja/core/formats).
FORMAT_MODULE_PATH = ["kinerja.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Document files go through Django's storage API: S3-compatible storage is a matter of
# configuration, e.g. STORAGE_BACKEND=storages.backends.s3.S3Storage with
# STORAGE_OPTIONS='{"bucket_name": "kinerja", "endpoint_url": "https://..."}' (django-storages,
# the production extra). Its keys come from the environment as boto3 reads them
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or from files: AWS_S3_ACCESS_KEY_ID_FILE and
# AWS_S3_SECRET_ACCESS_KEY_FILE (systemd's LoadCredential=, Docker secrets).
STORAGE_OPTIONS = env_json("STORAGE_OPTIONS", {})
for _option, _variable in (
    ("access_key", "AWS_S3_ACCESS_KEY_ID"),
    ("secret_key", "AWS_S3_SECRET_ACCESS_KEY"),
):
    if os.environ.get(f"{_variable}_FILE"):
        STORAGE_OPTIONS.setdefault(_option, env_secret(_variable))
STORAGES = {
    "default": {
        "BACKEND": env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": STORAGE_OPTIONS,
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kinerja@localhost")
# The SMTP server of the office, when EMAIL_BACKEND is Django's SMTP backend (password reset,
# reminders). The password may come from a file (EMAIL_HOST_PASSWORD_FILE).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# "Lupa kata sandi": a link valid this long, and at most this many requests an hour from one
# address (the same page answers whether the account exists or not).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 60) * 60
PASSWORD_RESET_PER_HOUR = env_int("PASSWORD_RESET_PER_HOUR", 5)

# Production hardening; `check --deploy` passes with DEBUG off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
# A session ends when the browser closes, and after SESSION_IDLE_MINUTES without a
# request (kinerja/core/sessions.py pushes the expiry back at most once a minute).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
if SESSION_COOKIE_AGE < 60:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1")
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Indonesian government checks flag the HSTS preload warning only when asked for.
    SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", ["security.W021"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Documents: the largest upload accepted (PDF, DOCX, XLSX, ODT), and the address that the
# QR code of a signature stamp opens (the verification page of the document).
KINERJA_UPLOAD_MAX_BYTES = env_int("KINERJA_UPLOAD_MAX_MB", 25) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An upload larger than that goes to a temporary file in a folder of its own while the
# request runs (made at start, kinerja/core/uploads.py); a server killed meanwhile leaves the
# file behind, and `manage.py document sweep` removes it when it is stale.
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "upload-tmp"))
# Every file is hostile until measured (DESIGN.md 16). What a package (DOCX, XLSX, ODT) or
# the object streams of a PDF may unpack to in all, how many parts a package and objects a
# PDF may have, how much smaller than its content a part may be packed (deflate reaches about
# 1:1000 on a bomb; office XML about 1:10 to 1:50); and the largest YAML file read (an SOP).
KINERJA_UNPACKED_MAX_BYTES = env_int("KINERJA_UNPACKED_MAX_MB", 100) * 1024 * 1024
KINERJA_PACKAGE_MAX_ENTRIES = env_int("KINERJA_PACKAGE_MAX_ENTRIES", 2000)
KINERJA_PACKAGE_MAX_RATIO = env_int("KINERJA_PACKAGE_MAX_RATIO", 200)
KINERJA_PDF_MAX_OBJECTS = env_int("KINERJA_PDF_MAX_OBJECTS", 200_000)
KINERJA_YAML_MAX_BYTES = env_int("KINERJA_YAML_MAX_KB", 256) * 1024
for _name, _value in {
    "KINERJA_UPLOAD_MAX_MB": KINERJA_UPLOAD_MAX_BYTES,
    "KINERJA_UNPACKED_MAX_MB": KINERJA_UNPACKED_MAX_BYTES,
    "KINERJA_PACKAGE_MAX_ENTRIES": KINERJA_PACKAGE_MAX_ENTRIES,
    "KINERJA_PACKAGE_MAX_RATIO": KINERJA_PACKAGE_MAX_RATIO,
    "KINERJA_PDF_MAX_OBJECTS": KINERJA_PDF_MAX_OBJECTS,
    "KINERJA_YAML_MAX_KB": KINERJA_YAML_MAX_BYTES,
}.items():
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number from 1")
KINERJA_BASE_URL = env_str("KINERJA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Demo accounts' password (manage.py demo); when empty the command makes one and prints it.
DEMO_PASSWORD = env_secret("DEMO_PASSWORD", "")

# The paper of the documents generated from the performance data (PK, LKjIP, Renja):
# A4 (210 x 297 mm) or F4 (215 x 330 mm, "folio", which many regional offices still use).
KINERJA_PAPER = env_str("KINERJA_PAPER", "A4").strip().upper()
if KINERJA_PAPER not in {"A4", "F4"}:
    raise ImproperlyConfigured(f"KINERJA_PAPER must be A4 or F4, not {KINERJA_PAPER[:20]!r}")
# Helper processes per server process that typeset a long generated document's parts
# side by side (kinerja.performance.reports.workers); 0: all in the request's process.
KINERJA_REPORT_WORKERS = env_int("KINERJA_REPORT_WORKERS", 1)
if not 0 <= KINERJA_REPORT_WORKERS <= 16:
    raise ImproperlyConfigured("KINERJA_REPORT_WORKERS must be between 0 and 16")
# Electronic signatures (kinerja/documents/signing/, pki.py).
# "local" signs with pyHanko on this server: with one institutional certificate
# when KINERJA_SIGNING_CERT and KINERJA_SIGNING_KEY (PEM paths) are set, else
# with each official's certificate in KINERJA_PKI_DIR (the demo PKI).
# "bsre" asks the national BSrE eSign service (BSSN) to sign; the official's
# NIK and passphrase are given at each signing and never stored.
# A dotted path names another backend class (like EMAIL_BACKEND); whether it
# imports is checked when the first signature is made (signing.get_backend).
KINERJA_SIGNING_BACKEND = env_str("KINERJA_SIGNING_BACKEND", "local")
if KINERJA_SIGNING_BACKEND not in {"local", "bsre"} and "." not in KINERJA_SIGNING_BACKEND:
    raise ImproperlyConfigured(
        "KINERJA_SIGNING_BACKEND must be local, bsre or the dotted path of a signing "
        f"backend class, not {KINERJA_SIGNING_BACKEND[:200]!r}"
    )
KINERJA_PKI_DIR = Path(env_str("KINERJA_PKI_DIR", str(VAR_DIR / "pki")))
KINERJA_SIGNING_CERT = env_str("KINERJA_SIGNING_CERT", "")
KINERJA_SIGNING_KEY = env_str("KINERJA_SIGNING_KEY", "")
KINERJA_SIGNING_KEY_PASSWORD = env_secret("KINERJA_SIGNING_KEY_PASSWORD", "")
if bool(KINERJA_SIGNING_CERT) != bool(KINERJA_SIGNING_KEY):
    raise ImproperlyConfigured("KINERJA_SIGNING_CERT and KINERJA_SIGNING_KEY go together")
# Where signatures are made (the PDF's /Location) and the font of the visible
# stamp (a TTF path; empty: Liberation Sans or DejaVu Sans when installed).
KINERJA_SIGNING_LOCATION = env_str("KINERJA_SIGNING_LOCATION", "Banjarbaru")
KINERJA_SIGNING_STAMP_FONT = env_str("KINERJA_SIGNING_STAMP_FONT", "")
# Root certificates (PEM paths, comma-separated) whose signatures verify as
# trusted; empty: the demo CA in KINERJA_PKI_DIR when it exists. Production
# lists the BSrE root and intermediate (and the institution's own CA, if any).
KINERJA_SIGNING_TRUST_ROOTS = env_list("KINERJA_SIGNING_TRUST_ROOTS", [])
# BSrE eSign client service: base address of the office's eSign gateway and
# its HTTP basic-auth client account.
BSRE_URL = env_str("BSRE_URL", "")
BSRE_USERNAME = env_str("BSRE_USERNAME", "")
BSRE_PASSWORD = env_secret("BSRE_PASSWORD", "")
BSRE_TIMEOUT = env_int("BSRE_TIMEOUT", 30)  # seconds for one call
if KINERJA_SIGNING_BACKEND == "bsre" and not BSRE_URL:
    raise ImproperlyConfigured("BSRE_URL must be set when KINERJA_SIGNING_BACKEND is bsre")
# pyHanko logs an untrusted certificate as a warning with a traceback; the
# verification report already says it in one sentence.
LOGGING["loggers"]["pyhanko.sign.validation.generic_cms"] = {"level": "ERROR"}
