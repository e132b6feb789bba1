"""One computation per cache key at a time, the others waiting for its result.

An admin's save changes the versions a set of pages read (cases/data_version.py),
so the next request for each of those pages misses the cache. With twenty
readers, several ask for the same page before the first has computed it, and
each computed it again: under an admin saving every second the two cores spent
their time computing the common-word search and the exports several times over
(make bench, issue 25). Now the first request for a key claims it; a request
finding the key claimed waits for the result to appear in the cache and
serves it, as fresh as the claimant's: it is the same key, of the same
versions of the data.

A waiter stops waiting, and computes the response itself, when the claimant
gives up without storing anything (an error, a response that may not be
kept, a reader who hung up) or after WAIT_SECONDS; a claim left by a worker
that died expires after CLAIM_SECONDS. With a cache that keeps nothing
(dummy://) every request claims its key: nothing is waited for.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

# How long a request waits for another's result before computing its own:
# past it, a page is slow anyway, and a second computation is no worse.
WAIT_SECONDS = 10
# How long a claim lasts if its request never releases it (a killed worker).
CLAIM_SECONDS = 60
POLL_SECONDS = 0.05


def cached_or_claimed(key):
    """(the value cached under `key`, whether this request claimed it): the
    value when it is in the cache, or once another request computing it has
    stored it; (None, True) when this request is to compute it, and must
    release(key) when done, stored or not; (None, False) when the other
    request gave up or the wait ran out."""
    stored = cache.get(key)
    if stored is not None:
        return stored, False
    if claim(key):
        return None, True
    return wait_for(key), False


def _claim_key(key):
    return f"{key}:computing"


def claim(key):
    """True when this request is the one to compute `key`'s response (no
    other request is computing it): it must release() it when done."""
    return cache.add(_claim_key(key), 1, CLAIM_SECONDS)


def release(key):
    cache.delete(_claim_key(key))


def wait_for(key, wait_seconds=WAIT_SECONDS):
    """The value another request is computing for `key`, once it is stored;
    None when that request gives up without storing it, or after
    `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get_many([key, _claim_key(key)])
        if key in found:
            return found[key]
        if _claim_key(key) not in found:
            return cache.get(key)  # released: stored just now, or never
    # The claimant is slow, or never released its claim (a response never
    # closed): worth knowing, and this request computes the value itself.
    logger.warning("Waited %s s for another request's %s; computing it", wait_seconds, key)
    return None
