"""Citations as web annotations: where each quote sits in its source.

Each citation's quote is a verbatim run of its source's text, so it can be
anchored the way the W3C Web Annotation model anchors a quote in a document,
with a TextQuoteSelector: the exact words, and a few words before and after
them to tell apart two places that say the same thing
(https://www.w3.org/TR/annotation-model/#text-quote-selector). Where the
source has a public URL, a text fragment (`#:~:text=`) opens it at the quote
in browsers that support them (https://wicg.github.io/scroll-to-text-fragment/).

The API and the data package add these to the citations the exports give.
"""

from urllib.parse import quote as percent_encode

from .models import Source
from .querysets import shown_relation

# Characters of context a selector keeps either side of the quote.
CONTEXT_CHARACTERS = 32
# Words of context a text fragment names either side (it matches whole words).
FRAGMENT_CONTEXT_WORDS = 3
# A quote longer than this many words is named in a text fragment by its
# first and last words (textStart,textEnd), which keeps links short.
FRAGMENT_WHOLE_QUOTE_WORDS = 10
FRAGMENT_END_WORDS = 4


def text_quote_selector(text, quote, paragraph=None):
    """The TextQuoteSelector of `quote` in `text` (its paragraph `paragraph`,
    counted from 1, searched first), or None when the text does not hold it."""
    start = -1
    if paragraph:
        offset = 0
        for number, line in enumerate(
            (line for line in text.splitlines(keepends=True) if line.strip()), start=1
        ):
            offset = text.find(line, offset)
            if number == paragraph:
                found = line.find(quote)
                start = offset + found if found >= 0 else -1
                break
            offset += len(line)
    if start < 0:
        start = text.find(quote)
    if start < 0 or not quote:
        return None
    end = start + len(quote)
    return {
        "type": "TextQuoteSelector",
        "exact": quote,
        "prefix": text[max(0, start - CONTEXT_CHARACTERS) : start],
        "suffix": text[end : end + CONTEXT_CHARACTERS],
    }


def _fragment_part(words):
    # Text fragment syntax reserves "-", "," and "&": each is percent-encoded.
    return percent_encode(" ".join(words), safe="")


def _whole_words_before(prefix):
    """The last few whole words of the context before, within the quote's
    paragraph (a text fragment does not match across paragraphs)."""
    line = prefix.rsplit("\n", 1)[-1]
    words = line.split()
    if "\n" not in prefix and len(prefix) == CONTEXT_CHARACTERS and words:
        words = words[1:]  # the first may be cut
    return words[-FRAGMENT_CONTEXT_WORDS:]


def _whole_words_after(suffix):
    line = suffix.split("\n", 1)[0]
    words = line.split()
    if "\n" not in suffix and len(suffix) == CONTEXT_CHARACTERS and words:
        words = words[:-1]  # the last may be cut
    return words[:FRAGMENT_CONTEXT_WORDS]


def text_fragment_url(url, selector):
    """`url` with a text fragment that highlights the selector's quote,
    with a few whole words of context either side; None without a URL."""
    if not url or selector is None:
        return None
    words = selector["exact"].split()
    if not words:
        return None
    if len(words) > FRAGMENT_WHOLE_QUOTE_WORDS:
        target = (
            f"{_fragment_part(words[:FRAGMENT_END_WORDS])},"
            f"{_fragment_part(words[-FRAGMENT_END_WORDS:])}"
        )
    else:
        target = _fragment_part(words)
    before, after = _whole_words_before(selector["prefix"]), _whole_words_after(selector["suffix"])
    if before:
        target = f"{_fragment_part(before)}-,{target}"
    if after:
        target = f"{target},-{_fragment_part(after)}"
    return f"{url.split('#')[0]}#:~:text={target}"


class SourceTexts:
    """Sources' texts by id, read in bulk and kept: citations come with their
    source but not its text (CitationQuerySet.for_listing defers it)."""

    def __init__(self):
        self.texts = {}

    def load(self, citations):
        missing = {citation.source_id for citation in citations} - set(self.texts)
        if missing:
            self.texts.update(Source.objects.filter(pk__in=missing).values_list("pk", "text"))

    def __getitem__(self, source_id):
        return self.texts[source_id]


def annotate_citations(row, record, texts):
    """Add to each citation of `row` (an export's row for `record`, its
    citations in the order of the record's visible citations) its source's
    slug, its TextQuoteSelector and, where its source has a public URL, a
    text-fragment link to the quote in place. `texts` is a SourceTexts,
    kept across records so each source's text is read once."""
    citations = shown_relation(record, "citations")
    texts.load(citations)
    for data, citation in zip(row["citations"], citations, strict=True):
        source = citation.source
        selector = text_quote_selector(texts[source.pk], citation.quote, citation.paragraph)
        data["source_slug"] = source.slug
        data["selector"] = selector
        data["text_fragment_url"] = text_fragment_url(source.url, selector)
    return row
