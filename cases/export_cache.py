"""Exports of unchanged data, served from the cache (issue 25, point 4).

A CSV or JSON export is streamed as it is computed; once it has streamed to
its end, whole and not cut by the time limit, it is kept under the one cache
key (cases/response_cache.py: the table's filters and sort, the reader's
language and visibility, and the versions of the tables the kind reads). The
next request for it streams the kept bytes: no query but the versions', no
export slot. An edit to what the table reads changes the key; an edit to
another kind leaves the export cached.

Not kept: an export cut short (its last line says it is incomplete), one
larger than EXPORT_CACHE_MAX_BYTES (memory, and Redis values, stay small),
and one the reader abandoned mid-stream.
"""

import zlib

from django.conf import settings
from django.core.cache import cache
from django.http import StreamingHttpResponse

from . import response_cache, single_flight

KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def cached_or_streamed(request, stream_export):
    """The export from the cache, or `stream_export()`'s response, kept as it
    streams when it may be."""
    key = response_cache.response_key(request, purpose="export")
    if key is None or not settings.EXPORT_CACHE_MAX_BYTES:
        return stream_export()
    # One export computed at a time per key, the others waiting for it to
    # be kept: at 1,000 rows an export is the costliest page a reader asks for.
    stored, claimed = single_flight.cached_or_claimed(key.key)
    if stored is not None:
        content, headers = stored
        response = StreamingHttpResponse(_chunks(zlib.decompress(content)))
        for name, value in headers.items():
            response[name] = value
        response["ETag"] = key.etag
        return response
    try:
        response = stream_export()
    except BaseException:
        if claimed:
            single_flight.release(key.key)
        raise
    if response.streaming and response.status_code == 200:
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        response.streaming_content = _KeptWhenWhole(
            response.streaming_content, response, key.key, headers, claimed
        )
        response["ETag"] = key.etag
    elif claimed:
        single_flight.release(key.key)
    return response


class _KeptWhenWhole:
    """The export's chunks as they stream, kept in the cache once the whole
    export has streamed; the claim on its key (single_flight) released when
    the stream ends, and when the response is closed: the server closes every
    response, one whose reader hung up before the first chunk too, and a
    generator closed before it started never runs its `finally`."""

    def __init__(self, chunks, response, key, headers, claimed):
        self._key, self._claimed = key, claimed
        self._chunks = self._kept(chunks, response, headers)

    def __iter__(self):
        return self._chunks

    def close(self):  # StreamingHttpResponse.close() calls it
        self._chunks.close()
        self._release()

    def _release(self):
        if self._claimed:
            self._claimed = False
            single_flight.release(self._key)

    def _kept(self, chunks, response, headers):
        kept, size = [], 0
        try:
            for chunk in chunks:
                size += len(chunk)
                if kept is not None:
                    kept.append(chunk)
                    if size > settings.EXPORT_CACHE_MAX_BYTES:
                        # Too large to keep: streamed only, and the readers
                        # waiting for it go and stream their own now, not
                        # after it ends (an unfiltered export streams a minute).
                        kept = None
                        self._release()
                yield chunk
            # Reached only when the whole export was sent.
            if kept is not None and not response.was_cut():
                content = zlib.compress(b"".join(kept), 1)
                cache.set(self._key, (content, headers), settings.PAGE_CACHE_SECONDS)
        finally:
            # Kept, cut, too large or abandoned: the waiting readers stop waiting.
            self._release()


def _chunks(content, size=64 * 1024):
    for start in range(0, len(content), size):
        yield content[start : start + size]
