"""Reads from PostgreSQL replicas, writes and admin on the primary.

Installed only when DATABASE_REPLICA_URLS names replicas (tracker/settings.py);
without one, neither the router nor the middleware is in the stack and every
query goes to "default" as before.

Built on django-multidb-router: its PinningReplicaRouter sends a read to the
primary while the thread is pinned, and its pinning middleware pins a request
that writes (any method but GET/HEAD/OPTIONS/TRACE) and sets a short-lived
cookie, so the same browser's next requests read the primary too for
MULTIDB_PINNING_SECONDS: an admin sees a correction on the next page at once,
whatever the replica's lag (read-your-writes).

What this module adds to it:
- One replica per request, chosen at its start, so every query of a page (and
  the data version the page cache stores it under: cases/page_cache.py) comes
  from the same database, never half from one replica and half from another.
- Admin, sessions, logins (auth) and django-axes' lockout records are always
  read from the primary: a login, a session just written or a lockout must not
  depend on a replica having replayed it.
- Reads outside a request (commands, the shell) stay on the primary: a
  command reads what it is about to write.
- Each request checks its replica's connection before reading (the health
  check Django would run at its first query anyway). A replica that does not
  answer (stopped, unreachable) is marked down in this process for
  REPLICA_RETRY_SECONDS and reads fall back to the primary; after that the
  next request's check decides whether it is back. A read whose replica
  fails in the middle of it (its answer the site's 503, tracker/middleware.py)
  marks it down and is read again from the primary; a write never touches a
  replica.
"""

import threading
import time

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import NoReverseMatch, reverse
from multidb import PinningReplicaRouter
from multidb.middleware import READ_ONLY_METHODS, PinningRouterMiddleware
from multidb.pinning import pin_this_thread, this_thread_is_pinned

# Apps whose rows are read from the primary even by a reader's request.
PRIMARY_ONLY_APPS = frozenset({"admin", "auth", "sessions", "axes"})

_request = threading.local()
_health_lock = threading.Lock()
# alias -> time.monotonic() until which the replica is not tried again.
_down_until = {}
_next_replica = [0]


def replica_aliases():
    return list(getattr(settings, "REPLICA_DATABASES", ()))


def mark_down(alias):
    with _health_lock:
        _down_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS


def _answers(alias):
    """Whether this thread's connection to the replica works, checked before
    the request reads anything: a replica that went away since is found here,
    and the request reads the primary instead of failing. Django's own
    health check (conn_health_checks) then has nothing left to do: this is
    the same one query, run earlier. Connection refused answers at once; an
    unreachable host waits its connect_timeout (settings)."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError:
        connection.errors_occurred = False
        return False
    return True


def healthy_replica():
    """The next replica that answers (round robin), or None: read the primary.
    One that does not is marked down and left alone for REPLICA_RETRY_SECONDS."""
    aliases = replica_aliases()
    for _ in range(len(aliases)):
        with _health_lock:
            alias = aliases[_next_replica[0] % len(aliases)]
            _next_replica[0] += 1
            until = _down_until.get(alias)
        if until is not None and time.monotonic() < until:
            continue
        if _answers(alias):
            with _health_lock:
                _down_until.pop(alias, None)
            return alias
        mark_down(alias)
    return None


def read_alias():
    """The database this request reads its records from: its replica, or the
    primary when pinned, outside a request, or with no replica up."""
    if this_thread_is_pinned():
        return DEFAULT_DB_ALIAS
    return getattr(_request, "alias", None) or DEFAULT_DB_ALIAS


class ReplicaRouter(PinningReplicaRouter):
    def db_for_read(self, model, **_hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()


def _admin_prefix():
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


def _lost(connection):
    """The connection failed, not merely a statement on it (a facet's
    statement_timeout also counts as an error, and leaves it usable)."""
    if not connection.errors_occurred:
        return False
    return connection.connection is None or not connection.is_usable()


class ReplicaMiddleware(PinningRouterMiddleware):
    """Pins writes, the pinning cookie's holder and admin to the primary;
    gives every other request one replica that is up."""

    def process_request(self, request):
        super().process_request(request)
        admin = _admin_prefix()
        if admin and request.path.startswith(admin):
            pin_this_thread()
        _request.alias = None if this_thread_is_pinned() else healthy_replica()

    def process_response(self, request, response):
        alias = getattr(_request, "alias", None)
        if alias is not None and _lost(connections[alias]):
            # This request's replica went away under it: the next requests
            # read the primary until the replica answers again.
            mark_down(alias)
            if request.method in READ_ONLY_METHODS and response.status_code == 503:
                # A read changes nothing: it is read again, from the primary,
                # rather than answered with the 503.
                _request.alias = None
                response = self.get_response(request)
        return super().process_response(request, response)


def _forget_request_replica(**kwargs):
    # After the response is sent (a streamed export has been read to its end).
    _request.alias = None


request_finished.connect(_forget_request_replica, dispatch_uid="cases.replicas")
