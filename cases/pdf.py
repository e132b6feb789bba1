"""Printable PDF briefs: one helper that renders a template to PDF with WeasyPrint.

WeasyPrint fetches every stylesheet, font and image a page names. A record's
text is escaped by the templates, but the fetcher is the second wall: it serves
only the project's own static files (and `data:` URLs), from disk, and refuses
everything else (other hosts, `file://`, other paths of this site) without
touching the network or the file system. Redirects are never followed.
"""

import html as html_module
import mimetypes
import re
from datetime import UTC
from functools import cache, wraps
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext_lazy,
    pgettext_lazy,
)
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

TRACKER_NAME = gettext_lazy("Deportation tracker")
BRIEF_LABEL = gettext_lazy("Brief")
# What every brief is about, in its metadata (the PDF's Keywords).
TOPIC_KEYWORDS = (
    pgettext_lazy("brief keyword", "deportations"),
    pgettext_lazy("brief keyword", "United States"),
    pgettext_lazy("brief keyword", "El Salvador"),
    "CECOT",
)
# PDF/UA-1: a tagged PDF (headings, lists, tables as structure a screen
# reader can walk), with its language and title in the document catalogue.
PDF_VARIANT = "pdf/ua-1"

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
    data_changed_at=None,
    subject="",
):
    """Render `template_name` with `context` to a PDF download.

    The template gets `brief` (title, tracker name, what kind of brief it is,
    the time its records are as of, the permalink of the view it was made
    from, generation time, page size) on top of `context`; every page's
    footer repeats the first four. Raises BriefRefused for a bad `paper`
    parameter.

    The PDF is tagged (PDF/UA-1) and described: title, subject (`subject`,
    else the kind of brief), the newsroom as author, keywords, and as its
    creation date the moment its data last changed (`data_changed_at`, the
    data version; an as-of brief: that moment), so two renderings of
    unchanged data describe themselves alike.
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
    html = collapse_white_space(
        render_to_string(
            template_name,
            {**context, "brief": brief, "request": request, "LANGUAGE_CODE": get_language()},
        )
    )
    site_root = request.build_absolute_uri("/")
    document = HTML(
        string=html, base_url=site_root, url_fetcher=StaticFilesOnlyFetcher(site_root)
    ).render()
    created = as_of or data_changed_at or generated_at
    if timezone.is_naive(created):
        # SQLite's data version may come back without its zone: it is UTC.
        created = timezone.make_aware(created, UTC)
    metadata = document.metadata
    metadata.title = str(title)
    metadata.description = str(subject or kind_label)
    metadata.authors = [settings.NEWSROOM_NAME]
    metadata.keywords = [str(kind_label), *(str(word) for word in TOPIC_KEYWORDS)]
    metadata.created = timezone.localtime(created).isoformat(timespec="seconds")
    metadata.modified = metadata.created
    metadata.generator = str(TRACKER_NAME)
    metadata.lang = get_language()
    response = HttpResponse(
        document.write_pdf(pdf_variant=PDF_VARIANT), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# White space between two tags, however long, reads as one space (CSS
# `white-space: normal`); kept as one, never removed: Django's {% spaceless %}
# removed it, and glued a badge to its attribution ("PROPOSEDaccording to").
_SPACE_BETWEEN_TAGS = re.compile(r">\s{2,}<|>[\t\r\n]<")


def collapse_white_space(html):
    """The brief's HTML with each run of white space between tags cut to one
    space: WeasyPrint lays out every run it is given, and a long brief's
    template indentation is many."""
    return _SPACE_BETWEEN_TAGS.sub("> <", html)


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


# A thin space, then the numbers in brackets: copied or extracted, "17" and
# its note 2 read "17 [2]", never "172".
NOTE_MARK_GAP = "\u2009"


def note_mark_html(numbers):
    """The mark of the notes `numbers` (each once, in order), or ""."""
    numbers = sorted(set(numbers or ()))
    if not numbers:
        return ""
    return format_html(
        '<span class="note-ref">{}[{}]</span>', NOTE_MARK_GAP, ",".join(map(str, numbers))
    )


# --- A table brief's column widths, from what the columns hold ---------------
# A fixed-layout table (static/css/pdf.css) is laid out once, fast, but takes
# its widths from its <col>s; these are worked out here from the cells' text,
# measured with the brief's own font: each column at least as wide as its
# longest word (or badge), the rest of the line shared out as each column's
# longest line asks, as a browser's automatic layout would.

MM_PER_PT = 25.4 / 72
# Page widths (portrait, landscape) and the left and right margins together
# (static/css/pdf.css, @page), in millimetres.
PAGE_WIDTHS_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
PAGE_SIDE_MARGINS_MM = 32.0
# A cell's padding, left and right together, plus a little for rounding.
CELL_PADDING_MM = 2.4 + 0.6
# What the stylesheet sets: cells, headers and badges (uppercase, letter-spaced, boxed).
CELL_FONT = ("DejaVuSans.ttf", 8.5)
HEADER_FONT = ("DejaVuSans-Bold.ttf", 8.0)
BADGE_FONT = ("DejaVuSans-Bold.ttf", 7.5)
BADGE_LETTER_SPACING_EM = 0.03
BADGE_BOX_MM = 2 * 1.2 + 2 * 0.75 * MM_PER_PT
NAME_COLUMN_SHARE = 0.3

_BADGE = re.compile(r'<(a|span) class="badge[^"]*"[^>]*>(.*?)</\1>', re.S)
_LINE_BREAK = re.compile(r"<(?:li|br|p|ul|ol|div)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def usable_width_mm(paper, landscape=False):
    """The width between the margins of a page of `paper`."""
    return PAGE_WIDTHS_MM[paper][1 if landscape else 0] - PAGE_SIDE_MARGINS_MM


@cache
def _advances(font_file):
    """(advance of each character, default advance), in ems, of a static font."""
    font = TTFont(finders.find(f"fonts/{font_file}"), lazy=True)
    scale = 1 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    advances = {code: metrics[glyph][0] * scale for code, glyph in font.getBestCmap().items()}
    return advances, metrics[".notdef"][0] * scale


def text_width_mm(text, font=CELL_FONT, letter_spacing_em=0.0):
    file_name, size_pt = font
    advances, default = _advances(file_name)
    ems = sum(advances.get(ord(char), default) + letter_spacing_em for char in text)
    return ems * size_pt * MM_PER_PT


def _badge_width_mm(label):
    return BADGE_BOX_MM + text_width_mm(label.upper(), BADGE_FONT, BADGE_LETTER_SPACING_EM)


def content_widths_mm(cell_html, font=CELL_FONT):
    """(narrowest, widest) a cell can be set in, text only: its longest word
    or badge, and its longest line (list items and line breaks start lines)."""
    narrowest = widest = 0.0
    space = text_width_mm(" ", font)
    for line in _LINE_BREAK.split(cell_html):
        pieces = [_badge_width_mm(html_module.unescape(m.group(2))) for m in _BADGE.finditer(line)]
        text = html_module.unescape(_TAG.sub(" ", _BADGE.sub(" ", line)))
        pieces += [text_width_mm(word, font) for word in text.split()]
        if pieces:
            narrowest = max(narrowest, *pieces)
            widest = max(widest, sum(pieces) + space * (len(pieces) - 1))
    return narrowest, widest


def column_widths(headers, rows, width_mm):
    """Each column's share of the table's width, in per cent, from its header
    and its cells (HTML): never narrower than its longest word where the line
    has room for all of them, and a long text's column no wider than the line."""
    narrowest = [0.0] * len(headers)
    widest = [0.0] * len(headers)
    for cells, font in [(headers, HEADER_FONT), *((row, CELL_FONT) for row in rows)]:
        for column, cell in enumerate(cells):
            low, high = content_widths_mm(str(conditional_escape(cell)), font)
            narrowest[column] = max(narrowest[column], low)
            widest[column] = max(widest[column], high)
    narrowest = [width + CELL_PADDING_MM for width in narrowest]
    widest = [min(width + CELL_PADDING_MM, width_mm) for width in widest]
    if sum(widest) <= width_mm:
        # Room for every line whole: share out what is left in proportion.
        widths = widest
    elif sum(narrowest) >= width_mm:
        # Not even every longest word fits: long words will break.
        widths = narrowest
    else:
        # The first column names the record, what a reader scans down: it
        # gets its longest line first, up to NAME_COLUMN_SHARE of the width.
        name = min(widest[0], max(narrowest[0], NAME_COLUMN_SHARE * width_mm))
        name = min(name, width_mm - sum(narrowest[1:]))
        slack = width_mm - name - sum(narrowest[1:])
        wants = [high - low for low, high in zip(narrowest[1:], widest[1:], strict=True)]
        widths = [name] + [
            low + (slack * want / sum(wants) if sum(wants) else 0)
            for low, want in zip(narrowest[1:], wants, strict=True)
        ]
    total = sum(widths) or 1
    return [round(100 * width / total, 2) for width in widths]
