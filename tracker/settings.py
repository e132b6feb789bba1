"""Settings for the deportation tracker, read from the environment.

Development defaults work out of the box (`make run` writes a git-ignored
`.env` with DEBUG=1 and a generated key, read only while the environment does
not set DEBUG); production values that would be unsafe to default (the secret
key) must be given.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    """Read a yes/no variable; a value we do not recognise is an error, not False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def load_development_env_file(path):
    """Read the clone's `.env` (written by `make run`) into the environment, so
    the README's `manage.py` commands work as written in a development clone.

    Only a development file: it is read only when the environment does not
    set DEBUG and the file turns DEBUG on, and it never overrides a variable
    the environment sets. Production sets DEBUG=0 (`make serve` does), so a
    stray `.env` can neither turn debugging on nor supply a secret key there,
    and production still refuses to start without SECRET_KEY."""
    if os.environ.get("DEBUG", "") != "" or not path.is_file():
        return
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, value = line.partition("=")
        if not separator:
            raise ImproperlyConfigured(f"{path}: expected NAME=value, got {line!r}")
        values[name.strip()] = value.strip().strip("'\"")
    if values.get("DEBUG", "").lower() not in {"1", "true", "yes", "on"}:
        return
    for name, value in values.items():
        os.environ.setdefault(name, value)


# TRACKER_ENV_FILE lets tests point at a throwaway file instead of the clone's.
load_development_env_file(Path(os.environ.get("TRACKER_ENV_FILE") or BASE_DIR / ".env"))

DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or, for local development, run `make run` once (it writes a .env with DEBUG=1)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    "csp",
    "axes",
    # The read API's docs page and its vendored Swagger UI (cases/api.py).
    "ninja",
    "cases",
]
# The tooling (bench/: benchmarks, load tools, synthetic data) is an app of its
# own, installed only when the environment says BENCH=1: `make bench*` and the
# README's synthetic-data commands set it, as the tests do (pyproject.toml).
# It brings the bench's commands and its URL conf, the production one plus a
# trivial ceiling page to measure the server with. Never set it in production.
BENCH = envbool("BENCH", False)
if BENCH:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # Outermost, so it times the whole request and logs the status sent.
    "tracker.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the language cookie set by the switch in the
    # header, else Accept-Language (issue 16; no language in the URL, so a
    # record's address is the same for every reader who is sent it).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # SITE_MODE=closed: every page, export and PDF needs a logged-in user.
    "cases.site_mode.SiteModeMiddleware",
    # After the site mode and the user, so a closed site or a logged-in
    # reader never gets a cached page (see cases/page_cache.py).
    "cases.page_cache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change, so the edit history names its author.
    "simple_history.middleware.HistoryRequestMiddleware",
    "tracker.middleware.DatabaseUnavailableMiddleware",
    "tracker.middleware.EmptyAdminToFieldMiddleware",
    # Last, as django-axes requires: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bench.urls" if BENCH else "tracker.urls"

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
                "cases.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite in the project folder is the embedded default for a first run;
# production and CI set DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One bad query must not hold a worker: PostgreSQL cancels any statement
    # that runs longer than this. JIT compilation is off: a table page's
    # query over 100,000 rows is estimated costly enough to be compiled, and
    # compiling it took 795 ms of a 1,150 ms page (make bench, issue 15),
    # for queries that run in milliseconds from their indexes.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={envint('DB_STATEMENT_TIMEOUT_MS', 5000)} -c jit=off"
    )

# --- Read replicas (issue 26; see cases/replicas.py and docs/deploy.md) ----------
# PostgreSQL streaming replicas that serve readers' pages, comma-separated.
# Writes, admin, sessions, logins and lockouts stay on DATABASE_URL (the
# primary), as does a browser that has just written, for
# REPLICA_PINNING_SECONDS (read-your-writes). Unset: everything on the primary.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", [])
REPLICA_DATABASES = []
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=envint("CONN_MAX_AGE", 600), conn_health_checks=True
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS must be PostgreSQL URLs; got {_url!r}")
    _replica["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        # A replica that does not answer is given up quickly: reads fall back
        # to the primary rather than hold a worker.
        "connect_timeout": envint("REPLICA_CONNECT_TIMEOUT_S", 2),
    }
    # Tests of a configured replica read the test database through it.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica{_number}")
# How long a failed replica is left alone before a connection attempt.
REPLICA_RETRY_SECONDS = envint("REPLICA_RETRY_SECONDS", 5)
MULTIDB_PINNING_SECONDS = envint("REPLICA_PINNING_SECONDS", 15)
MULTIDB_PINNING_COOKIE = "pin_primary"
MULTIDB_PINNING_COOKIE_HTTPONLY = True
if REPLICA_DATABASES:
    DATABASE_ROUTERS = ["cases.replicas.ReplicaRouter"]
    # Before the session and everything that reads, so a request's queries
    # all go to the database chosen for it.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "cases.replicas.ReplicaMiddleware",
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Write-ahead logging: readers never block a writer nor a writer
            # readers, so an admin's save does not wait behind exports.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # A transaction that will write takes the write lock when it
            # begins, so two admins' saves run one after the other: the
            # second's version check then sees the first's save. (Deferred,
            # both would read first and one would fail "database is locked".)
            "transaction_mode": "IMMEDIATE",
            # How long a writer waits for another to finish, in seconds.
            "timeout": envint("SQLITE_BUSY_TIMEOUT_S", 20),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English is the tracker's first language and its sources'; Spanish for the
# newsrooms of El Salvador, Venezuela and the U.S. that cover the story.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the tracker writes them: "14 April 2025", "14 de abril de 2025".
FORMAT_MODULE_PATH = ["tracker.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# In production (`make serve`) static files are collected with hashed names,
# so browsers can cache them for ever; development and tests serve them as they are.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Roles and access (issue 5; see cases/roles.py) ------------------------------
# "open": anyone reads the published records; "closed": every page, export and
# PDF brief needs a logged-in user (login page, /healthz and static files stay
# reachable). `make run` runs open.
SITE_MODES = ("open", "closed")
SITE_MODE = os.environ.get("SITE_MODE", "open").strip().lower() or "open"
if SITE_MODE not in SITE_MODES:
    raise ImproperlyConfigured(
        f"SITE_MODE must be 'open' (anyone reads published records) or 'closed' "
        f"(login required for every page); got {os.environ['SITE_MODE']!r}"
    )
# Whether members of the Journalists group see draft records, as Editors do.
JOURNALISTS_SEE_DRAFTS = envbool("JOURNALISTS_SEE_DRAFTS", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# The newsroom that publishes the tracker: the author named in every PDF
# brief's metadata.
NEWSROOM_NAME = os.environ.get("NEWSROOM_NAME", "").strip() or "Deportation tracker"

# Bounds that keep a table page's cost flat as the data grows: tables count at
# most this many rows ("10,000+ transfers", every page still reachable), and
# each facet's counts get this long (PostgreSQL: statement_timeout; SQLite: a
# progress handler) before the page shows that facet without counts (0 turns
# the limit off).
TABLE_COUNT_CAP = envint("TABLE_COUNT_CAP", 10_000)
FACET_TIME_LIMIT_MS = envint("FACET_TIME_LIMIT_MS", 200)
# How many entries each of a record's lists shows (its citations, related
# records, figures and history) on its page, in its brief and in an export's
# row: past it the list says how many more there are and links to a table of
# them, so one record cited 255,750 times costs what one cited 100 times does
# (issue 28: its brief had grown a worker to 14 GB).
RECORD_LIST_LIMIT = envint("RECORD_LIST_LIMIT", 100)
if RECORD_LIST_LIMIT < 1:
    raise ImproperlyConfigured(f"RECORD_LIST_LIMIT must be 1 or more; got {RECORD_LIST_LIMIT}")
# How long a CSV or JSON export may stream before it ends, saying it is
# incomplete: long enough for every transfer at 100,000 (34.5 s alone, make
# bench), below gunicorn's graceful timeout (make serve: 70 s), so a
# restarting worker lets an export end rather than cut it. Threaded workers
# keep answering their heartbeat meanwhile, and the export slots bound how
# many such exports run at once.
EXPORT_TIME_LIMIT_S = envint("EXPORT_TIME_LIMIT_S", 60)
# How many large exports (more than EXPORT_SLOT_ROWS rows) may stream at once
# on one server (all its workers and threads; cases/export_slots.py; keep it
# below gunicorn's threads per worker), after which one is refused with a 503,
# and where the slots' lock files live (default: a directory of this site's
# own in the system's temporary one). A smaller export takes about as long as
# a page and needs no slot.
EXPORT_SLOT_ROWS = envint("EXPORT_SLOT_ROWS", 5_000)
# The largest export kept whole in the cache once streamed (cases/export_cache.py);
# 0 keeps none.
EXPORT_CACHE_MAX_BYTES = envint("EXPORT_CACHE_MAX_BYTES", 8 * 1024 * 1024)
# The largest PDF brief kept in the cache once made (cases/brief_cache.py); 0 keeps none.
BRIEF_CACHE_MAX_BYTES = envint("BRIEF_CACHE_MAX_BYTES", 8 * 1024 * 1024)
EXPORT_SLOTS = envint("EXPORT_SLOTS", 3)
if EXPORT_SLOTS < 1:
    raise ImproperlyConfigured(f"EXPORT_SLOTS must be 1 or more; got {EXPORT_SLOTS}")
EXPORT_SLOTS_DIR = os.environ.get("EXPORT_SLOTS_DIR", "").strip()
# The data package (cases/datapackage.py): built once per data version into
# this directory, the last DATA_PACKAGES_KEPT versions kept; and the licence
# the newsroom publishes its data under (the quotes stay their sources').
DATA_PACKAGE_DIR = Path(os.environ.get("DATA_PACKAGE_DIR", "").strip() or BASE_DIR / "datapackages")
DATA_PACKAGES_KEPT = envint("DATA_PACKAGES_KEPT", 3)
# Above this many published records, a request never builds the package (at
# 100,000 transfers that took 20 minutes): it serves the latest one built,
# and `manage.py build_datapackage` (after a batch of edits, or from cron)
# builds the current one.
DATA_PACKAGE_REQUEST_MAX_ROWS = envint("DATA_PACKAGE_REQUEST_MAX_ROWS", 20000)
DATA_LICENSE_NAME = os.environ.get("DATA_LICENSE_NAME", "CC-BY-4.0")
DATA_LICENSE_TITLE = os.environ.get(
    "DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0 International"
)
DATA_LICENSE_URL = os.environ.get(
    "DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
# --- Caching (issue 14; see cases/page_cache.py) ---------------------------------
# Local memory by default (nothing to install; each worker has its own);
# CACHE_URL=redis://host:6379/0 shares one cache between the workers.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _CACHE_BACKEND = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
    }
elif CACHE_URL == "dummy://":
    # Caches nothing: every page is computed (the benchmark's cache-miss figures).
    _CACHE_BACKEND = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL must be a Redis URL (redis://127.0.0.1:6379/0) or dummy://; got {CACHE_URL!r}"
    )
else:
    # Pages are stored compressed (about 10 kB each): 2,000 fit in ~20 MB a worker.
    _CACHE_BACKEND = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 2000)},
    }
CACHES = {
    "default": {**_CACHE_BACKEND, "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tracker")}
}
# Anonymous readers' pages are cached under the data version; 0 turns it off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)
# How long a CDN or reverse proxy may serve a page without asking again
# (s-maxage). 0: it may store pages but must revalidate each time (a cheap 304
# while nothing changed), so it never serves a page older than the last edit.
PROXY_CACHE_SECONDS = envint("PROXY_CACHE_SECONDS", 0)
# With PROXY_CACHE_SECONDS set: how long after that a proxy may still answer
# with its copy while it fetches a fresh one (stale-while-revalidate), and
# while the app servers fail or are down (stale-if-error).
PROXY_STALE_WHILE_REVALIDATE_SECONDS = envint("PROXY_STALE_WHILE_REVALIDATE_SECONDS", 30)
PROXY_STALE_IF_ERROR_SECONDS = envint("PROXY_STALE_IF_ERROR_SECONDS", 86400)

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

# --- Security -----------------------------------------------------------------
# HTTPS is assumed in production; set HTTPS=0 only to try production settings
# on a machine without TLS (e.g. `make serve` on 127.0.0.1).
HTTPS = envbool("HTTPS", not DEBUG)
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
# How many proxies stand in front of gunicorn, each adding the address it was
# reached from to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for).
PROXY_COUNT = envint("PROXY_COUNT", 1)
if BEHIND_PROXY:
    # Trust the proxy's word that the request came in over HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if PROXY_COUNT < 1:
        raise ImproperlyConfigured(f"PROXY_COUNT must be 1 or more; got {PROXY_COUNT}")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
MULTIDB_PINNING_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Everything the pages load comes from this site: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Repeated failed logins lock that username from that address for a while: the
# pair, never the username alone, so nobody elsewhere can lock a colleague out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Any length of username gets the ordinary answer (see tracker/login_limits.py).
AXES_USERNAME_CALLABLE = "tracker.login_limits.lockout_username"
# The client's address, as django-axes reads it with django-ipware. Directly
# served, it is the connection's. Behind proxies it is the PROXY_COUNT-th
# address from the right of X-Forwarded-For: the one the outermost proxy saw.
# Addresses left of it are whatever the client sent and are never trusted, so
# a client can neither lock out someone else's address nor leave its own
# lockout by making one up. (ipware counts the proxies named inside the
# header, one fewer than stand in front: the outermost names the client.)
if BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    # A header with more addresses than proxies is normal (the client sent
    # some); strict mode would ignore it and fall back to the proxy's address.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Logging ----------------------------------------------------------------------
# One JSON object per line on stdout, for a log collector.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tracker.logging.JSONFormatter"}},
    "handlers": {"stdout": {"()": "tracker.logging.StdoutHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log below says the same, with the duration.
        "django.server": {"level": "WARNING"},
        # Axes logs each login attempt at INFO, with the username.
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
