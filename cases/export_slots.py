"""At most EXPORT_SLOTS large exports stream at once on one server.

An unfiltered export at 100,000 transfers streams for its whole time limit
(EXPORT_TIME_LIMIT_S). Without a bound, a few of them at once take every
worker thread and every core from the readers of pages (issue 15: three held
all three workers, and the home page waited 27 s). A large export first
takes a slot; when every slot is taken it is refused at once with a 503 that
says to try again (never a 500, never a half-written file). It does not wait
for a slot: a waiting request would hold a server thread as an export does,
and a worker whose threads all wait or export answers no one. With more
threads per worker than slots (make serve: 4 and 3), exports never take a
worker's last thread.

A slot is an exclusive lock on one of EXPORT_SLOTS files (flock): every
gunicorn worker and thread of the server sees the same locks, and a worker
that dies releases its lock with it, so no slot is ever lost.
"""

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def slot_directory():
    """EXPORT_SLOTS_DIR, or a directory of this checkout and database's own in
    the system's temporary directory (two sites on one machine, or the test
    suites of two databases, never share slots)."""
    if settings.EXPORT_SLOTS_DIR:
        return Path(settings.EXPORT_SLOTS_DIR)
    database = settings.DATABASES["default"]
    site = f"{settings.BASE_DIR}|{database['ENGINE']}|{database['NAME']}"
    digest = hashlib.sha256(site.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"tracker-export-slots-{digest}"


class Slot:
    """One taken slot: an open file holding its lock until release()."""

    def __init__(self, descriptor):
        self._descriptor = descriptor

    def release(self):
        if self._descriptor is not None:
            # Closing the file releases its lock.
            os.close(self._descriptor)
            self._descriptor = None

    # A response that is never closed (a client that never reads it, in a
    # test) must not keep its slot for the life of the process.
    __del__ = release


def take_slot():
    """A free Slot, or None when every slot is taken."""
    directory = slot_directory()
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(settings.EXPORT_SLOTS):
        descriptor = os.open(directory / f"slot-{number}", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return Slot(descriptor)
    return None
