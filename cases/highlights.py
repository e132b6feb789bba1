"""A source's text with each cited passage highlighted exactly: the quoted
words inside their paragraph, each in a <mark id="quote-<citation key>"> that
the citation's link on the record's page targets.

Quotes from one paragraph can overlap. Marks nest where one passage lies
inside another (or two records quote the same words), but two passages that
cross (the second starts inside the first and ends after it) cannot both be
one element: the first is marked in the paragraph, and the crossing one is
shown, marked with its id, beside the paragraph, so every citation still has
exactly its own words in an element its link lands on."""

from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

# How much of a passage the list beside a paragraph repeats.
PASSAGE_OPENING_WORDS = 8


def quote_anchor(citation):
    return f"quote-{citation.key}"


@dataclass
class Passage:
    """Words of a paragraph that one or more citations quote."""

    start: int
    end: int
    citations: list = field(default_factory=list)
    # False when it crosses a passage marked in the paragraph (see module doc).
    inline: bool = True

    @property
    def quote(self):
        return self.citations[0].quote

    @property
    def anchor(self):
        return quote_anchor(self.citations[0])

    @property
    def opening(self):
        return Truncator(self.quote).words(PASSAGE_OPENING_WORDS)

    @property
    def records(self):
        """The records citing these words, each once."""
        return _each_once(c.record for c in self.citations if c.record)

    def open_marks(self):
        # One mark per citation, nested, so each has an element with its id.
        return mark_safe(
            "".join(
                format_html(
                    '<mark class="{}" id="{}">',
                    "cited" if index == 0 else "cited-also",
                    quote_anchor(citation),
                )
                for index, citation in enumerate(self.citations)
            )
        )

    def close_marks(self):
        return mark_safe("</mark>" * len(self.citations))

    def marked_quote(self):
        """The passage on its own, marked (for one shown beside its paragraph)."""
        return self.open_marks() + escape(self.quote) + self.close_marks()

    def crosses(self, other):
        first, second = sorted((self, other), key=lambda p: (p.start, -p.end))
        return first.start < second.start < first.end < second.end


@dataclass
class HighlightedParagraph:
    number: int
    text: str
    passages: list

    @property
    def anchor(self):
        return f"p{self.number}"

    @property
    def records(self):
        """The records quoting this paragraph, each once."""
        return _each_once(record for passage in self.passages for record in passage.records)

    @property
    def html(self):
        """The paragraph, escaped, with its inline passages in nested marks."""
        out, position, open_passages = [], 0, []
        for passage in self.passages:
            if not passage.inline:
                continue
            while open_passages and open_passages[-1].end <= passage.start:
                position = _close(out, self.text, position, open_passages.pop())
            out.append(escape(self.text[position : passage.start]))
            position = passage.start
            out.append(passage.open_marks())
            open_passages.append(passage)
        while open_passages:
            position = _close(out, self.text, position, open_passages.pop())
        out.append(escape(self.text[position:]))
        return mark_safe("".join(out))


def _each_once(records):
    # Two citations of one record load it twice: compare kind and key.
    return list({(type(record), record.pk): record for record in records}.values())


def _close(out, text, position, passage):
    out.append(escape(text[position : passage.end]))
    out.append(passage.close_marks())
    return passage.end


def highlighted_paragraphs(paragraphs, citations):
    """[HighlightedParagraph] for a source's paragraphs (numbered from 1) and
    the citations of it the reader may see. A citation whose quote is not in
    its paragraph (the text was changed after the check) is left out of the
    text rather than marked in the wrong place."""
    passages_by_paragraph = {}
    for citation in citations:
        number = citation.paragraph
        if not number or not 1 <= number <= len(paragraphs):
            continue
        start = paragraphs[number - 1].find(citation.quote)
        if start < 0 or not citation.quote:
            continue
        passages = passages_by_paragraph.setdefault(number, {})
        span = (start, start + len(citation.quote))
        passages.setdefault(span, Passage(*span)).citations.append(citation)
    result = []
    for number, text in enumerate(paragraphs, 1):
        passages = sorted(
            passages_by_paragraph.get(number, {}).values(), key=lambda p: (p.start, -p.end)
        )
        marked = []
        for passage in passages:
            passage.inline = not any(passage.crosses(other) for other in marked)
            if passage.inline:
                marked.append(passage)
        result.append(HighlightedParagraph(number, text, passages))
    return result
