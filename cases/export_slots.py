"""At most EXPORT_SLOTS exports stream at once on one server.

An unfiltered export at 100,000 transfers streams for its whole time limit
(EXPORT_TIME_LIMIT_S). Without a bound, a few of them at once take every
worker thread and every core from the readers of pages (issue 15: three held
all three workers, and the home page waited 27 s). An export first takes a
slot; when every slot is taken it waits up to EXPORT_SLOT_WAIT_S for one,
then is refused with a 503 that says to try again (never a 500, never a
half-written file).

A slot is an exclusive lock on one of EXPORT_SLOTS files (flock): every
gunicorn worker and thread of the server sees the same locks, and a worker
that dies releases its lock with it, so no slot is ever lost.
"""

import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

# How often a waiting export looks for a free slot.
POLL_SECONDS = 0.1


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


def _try_each_slot(directory):
    for number in range(settings.EXPORT_SLOTS):
        descriptor = os.open(directory / f"slot-{number}", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return Slot(descriptor)
    return None


def take_slot():
    """A free Slot, waiting up to EXPORT_SLOT_WAIT_S for one; None if every
    slot stayed taken."""
    directory = slot_directory()
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + settings.EXPORT_SLOT_WAIT_S
    while True:
        slot = _try_each_slot(directory)
        if slot is not None or time.monotonic() >= deadline:
            return slot
        time.sleep(POLL_SECONDS)
