"""A time limit for optional queries (facet counts), set once per request.

As Datasette does (datasette/database.py, sql_time_limit): on SQLite the
connection's progress handler interrupts a query that runs past its
deadline; on PostgreSQL `statement_timeout` is lowered once for the whole
group of queries and put back once at the end. A query cut short raises
django.db.OperationalError inside `attempt()`, which the caller turns into
"counts took too long", and the page carries on.

    with QueryTimeLimit(using, milliseconds) as limit:
        for facet in facets:
            with limit.attempt():
                ...   # may raise OperationalError when cut short

On PostgreSQL a cancelled statement aborts the transaction it is in. Web
requests run in autocommit (no ATOMIC_REQUESTS), where nothing needs undoing;
only inside a transaction (a test, a caller's atomic block) does each attempt
get a savepoint to roll back to.
"""

import time
from contextlib import contextmanager, nullcontext

from django.db import DatabaseError, connections, transaction

# How many SQLite virtual machine instructions between two deadline checks:
# small enough to stop within a millisecond or two, large enough to cost nothing.
SQLITE_CHECK_EVERY = 1000


class QueryTimeLimit:
    def __init__(self, using, milliseconds):
        self.using = using
        self.connection = connections[using]
        self.milliseconds = milliseconds or 0
        self.deadline = None

    @property
    def active(self):
        return self.milliseconds > 0 and self.connection.vendor in ("postgresql", "sqlite")

    def __enter__(self):
        if not self.active:
            return self
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, false)", [str(self.milliseconds)]
                )
        else:
            self.connection.ensure_connection()
            self.connection.connection.set_progress_handler(self._past_deadline, SQLITE_CHECK_EVERY)
        return self

    def __exit__(self, *exc_info):
        if not self.active:
            return
        if self.connection.vendor == "postgresql":
            if self.connection.needs_rollback:
                return
            try:
                self._reset_statement_timeout()
            except DatabaseError:
                # A limit that ran out just as a query ended cancels the next
                # statement instead: this one. Skipped, the connection (kept
                # for later requests, CONN_MAX_AGE) would answer each of them
                # with a 200 ms limit, and 503s (seen at 100,000 transfers).
                if not self.connection.is_usable():
                    return
                self._reset_statement_timeout()
        elif self.connection.connection is not None:
            self.connection.connection.set_progress_handler(None, 0)

    def _reset_statement_timeout(self):
        with self.connection.cursor() as cursor:
            # Back to the connection's own limit (DB_STATEMENT_TIMEOUT_MS,
            # given as a startup option, which RESET returns to).
            cursor.execute("RESET statement_timeout")

    def _past_deadline(self):
        # A true value makes SQLite interrupt the running statement.
        return self.deadline is not None and time.monotonic() > self.deadline

    @contextmanager
    def attempt(self):
        """One query (or a few) under the limit; the deadline starts now."""
        self.deadline = time.monotonic() + self.milliseconds / 1000 if self.active else None
        guard = (
            transaction.atomic(using=self.using)
            if self.active
            and self.connection.vendor == "postgresql"
            and self.connection.in_atomic_block
            else nullcontext()
        )
        try:
            with guard:
                yield
        finally:
            self.deadline = None
