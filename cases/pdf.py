"""Printable PDF briefs: one helper that renders a template to PDF with WeasyPrint.

WeasyPrint fetches every stylesheet, font and image a page names. A record's
text is escaped by the templates, but the fetcher is the second wall: it serves
only the project's own static files (and `data:` URLs), from disk, and refuses
everything else (other hosts, `file://`, other paths of this site) without
touching the network or the file system. Redirects are never followed.
"""

import mimetypes
import re
from functools import wraps
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

TRACKER_NAME = gettext_lazy("Deportation tracker")
BRIEF_LABEL = gettext_lazy("Brief")

# The `lang` query parameter: a brief in another language than the reader's.
LANGUAGE_PARAM = "lang"
# The `paper` query parameter: its accepted values and the CSS page size each gives.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_PAPER = "a4"
# What every brief reads besides its page's own parameters.
BRIEF_PARAMS = (LANGUAGE_PARAM, "paper")


class FetchRefused(ValueError):
    """A brief asked for a resource outside the project's static files."""


class StaticFilesOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the project's static files and
    `data:` URLs only.

    Templates link static files the way web pages do (`{% static %}`, resolved
    against the site's own address), so links in the PDF still point to the
    site; those addresses are mapped to files in the project's static folders
    and read from disk, never requested over HTTP.
    """

    def __init__(self, site_root):
        # Only `data:` may reach urllib at all, and no redirect handler is
        # installed: the parent class is a second line behind `fetch` below.
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        site = urlsplit(site_root)
        self._site = (site.scheme.lower(), site.netloc.lower())
        self._static_path = urlsplit(urljoin(site_root, settings.STATIC_URL)).path

    def fetch(self, url, headers=None):
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        path = self.static_file_for(url)
        if path is None:
            raise FetchRefused(f"PDF briefs load only the site's own static files, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def static_file_for(self, url):
        """The file inside the project's static folders that `url` names, or None."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if (parts.scheme.lower(), parts.netloc.lower()) != self._site:
            return None
        path = unquote(parts.path)
        if not path.startswith(self._static_path):
            return None
        relative = path[len(self._static_path) :]
        # Refuse anything that could climb out of a static folder before any
        # file-system call is made: "..", ".", empty segments, backslashes, NUL.
        segments = relative.split("/")
        if "\\" in relative or "\x00" in relative or any(s in ("", ".", "..") for s in segments):
            return None
        candidates = []
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if found:
            candidates.append(Path(found))
        if settings.STATIC_ROOT:
            # Collected (possibly hashed) names exist only in STATIC_ROOT.
            candidates.append(Path(settings.STATIC_ROOT) / relative)
        roots = _project_static_roots()
        for candidate in candidates:
            real = candidate.resolve()
            if real.is_file() and any(real.is_relative_to(root) for root in roots):
                return real
        return None


def _project_static_roots():
    """The project's own static folders (not third-party apps'), resolved."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        folder = entry[1] if isinstance(entry, (tuple, list)) else entry
        roots.append(Path(folder).resolve())
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class BriefRefused(Exception):
    """A brief that cannot be made as asked; the message tells the reader why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def in_requested_language(view):
    """Make the brief in the language `?lang=` names (one of
    settings.LANGUAGES), else in the reader's own (LocaleMiddleware): an
    editor reading in English can hand a Spanish brief to a Spanish-language
    newsroom. Every wording is chosen while the view runs, so the whole view
    runs in that language."""

    @wraps(view)
    def in_language(request, *args, **kwargs):
        requested = request.GET.get(LANGUAGE_PARAM)
        if requested is None:
            return view(request, *args, **kwargs)
        if requested not in dict(settings.LANGUAGES):
            choices = ", ".join(f"“{code}”" for code, _name in settings.LANGUAGES)
            refusal = BriefRefused(
                _("There is no brief in “%(requested)s”; choose one of %(choices)s.")
                % {"requested": requested[:20], "choices": choices}
            )
            return refusal_response(request, refusal)
        with translation.override(requested):
            return view(request, *args, **kwargs)

    return in_language


def paper_from(request):
    paper = request.GET.get("paper", DEFAULT_PAPER) or DEFAULT_PAPER
    if paper not in PAPER_SIZES:
        raise BriefRefused(
            _("Paper size must be “a4” or “letter”. Leave it out for A4."),
        )
    return paper


def refusal_response(request, refusal, back_url=None):
    """A plain page that says why no PDF was made, instead of a broken download."""
    return render(
        request,
        "cases/pdf/brief_refused.html",
        {"message": refusal.message, "back_url": back_url},
        status=refusal.status,
    )


def brief_filename(kind, slug=None, *, on=None):
    """E.g. agreement-safe-third-country-2026-11-27.pdf."""
    on = on or timezone.localdate()
    parts = [str(kind), slug, on.isoformat()] if slug else [str(kind), on.isoformat()]
    # Slugs are validated on save, but a header is no place to trust that.
    return re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(parts)) + ".pdf"


def render_pdf(
    request,
    template_name,
    context,
    *,
    title,
    filename,
    landscape=False,
    kind_label=BRIEF_LABEL,
    as_of=None,
    permalink=None,
):
    """Render `template_name` with `context` to a PDF download.

    The template gets `brief` (title, tracker name, what kind of brief it is,
    the time its records are as of, the permalink of the view it was made
    from, generation time, page size) on top of `context`; every page's
    footer repeats the first four. Raises BriefRefused for a bad `paper`
    parameter.
    """
    paper = paper_from(request)
    generated_at = timezone.localtime()
    page_size = PAPER_SIZES[paper] + (" landscape" if landscape else "")
    brief = {
        "title": title,
        "tracker_name": TRACKER_NAME,
        "generated_at": generated_at,
        "kind_label": kind_label,
        # A brief of the records as they are shows them as of now.
        "as_of": as_of or generated_at,
        "is_past": as_of is not None,
        "permalink": request.build_absolute_uri(permalink or request.get_full_path()),
        # An as-of brief can only be made again from its own address.
        "own_url": request.build_absolute_uri(),
        "paper": paper,
        "page_size": page_size,
        # Said on the brief: a Spanish brief's quotes stay in their own language.
        "language_name": get_language_info(get_language())["name_local"],
    }
    # The request goes in as a plain variable: a brief needs none of the web
    # pages' context processors (navigation, messages), so none are run.
    html = render_to_string(
        template_name,
        {**context, "brief": brief, "request": request, "LANGUAGE_CODE": get_language()},
    )
    site_root = request.build_absolute_uri("/")
    document = HTML(
        string=html, base_url=site_root, url_fetcher=StaticFilesOnlyFetcher(site_root)
    ).render()
    document.metadata.title = title
    document.metadata.authors = [str(TRACKER_NAME)]
    document.metadata.created = generated_at.isoformat(timespec="seconds")
    document.metadata.generator = str(TRACKER_NAME)
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A source's title in a note is cut to this many characters (at a word); the
# full title is given once, in the list of sources.
SHORT_TITLE_LENGTH = 48


def short_source_name(source):
    """Publisher and short title, e.g. 'CBS News, “CBS News reports on a
    ‘Safe Third Country’ agreement”', for a note; the title is cut at a word."""
    title = " ".join(source.title.split())
    if len(title) > SHORT_TITLE_LENGTH:
        title = title[: SHORT_TITLE_LENGTH + 1].rsplit(" ", 1)[0].rstrip(" ,;:.(") + "…"
    return f"{source.publisher}, {title}" if source.publisher else title


class NoteNumbers:
    """One endnote per distinct quote, numbered in the order the document
    first uses it: the same words from the same paragraph of the same source
    get the number they got the first time, however many records cite them."""

    def __init__(self):
        self.endnotes = []
        self._by_quote = {}

    @staticmethod
    def key(citation):
        return (citation.source_id, citation.paragraph, " ".join(citation.quote.split()))

    def number(self, citation):
        key = self.key(citation)
        if key not in self._by_quote:
            self.endnotes.append(citation)
            self._by_quote[key] = len(self.endnotes)
        citation.note_number = self._by_quote[key]
        return citation.note_number
