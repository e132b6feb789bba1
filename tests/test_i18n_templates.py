"""Every interface string in a template is marked for translation (issue 16).

Each template under templates/ is read as text: comments, {% blocktranslate %}
blocks, scripts and styles are taken out, then every other template tag and
variable, then the HTML tags. What is left must hold no letter: a word there
is English a Spanish reader would see. The attributes a screen reader or a
pointer reads out (aria-label, title, placeholder, alt, and a submit
button's value) are checked the same way, as is a literal `default:"…"`.
No database, no rendering: a plain scan of the files.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
COMMENT = re.compile(r"{#.*?#}", re.S)
BLOCKTRANSLATE = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S
)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
HTML_TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
SPOKEN_ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)\s*=\s*"([^"]*)"', re.S)
SUBMIT_VALUE = re.compile(r'<input\b[^>]*type="(?:submit|button)"[^>]*>', re.S)
VALUE = re.compile(r'\bvalue\s*=\s*"([^"]*)"')
LITERAL_DEFAULT = re.compile(r"""{{[^}]*\|default:(["'])([^"']*)\1""")
# Text that is not an interface string, by template: a CSS class filling a block.
NOT_WORDS = {"cases/pdf/table_brief.html": {"table-brief"}}
# A language tag as a default ("en" for a source's language) is not a word.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
# Any letter, in any script; digits and punctuation (·, –, ¶, →, “”) are not words.
LETTER = re.compile(r"[^\W\d_]")


def unmarked_words(text):
    """The interface words in a template's text that no translate tag marks."""
    text = COMMENT_BLOCK.sub(" ", text)
    text = COMMENT.sub(" ", text)
    text = BLOCKTRANSLATE.sub(" ", text)
    text = SCRIPT_OR_STYLE.sub(" ", text)
    text = HTML_COMMENT.sub(" ", text)
    found = []
    for literal in LITERAL_DEFAULT.finditer(text):
        if LETTER.search(literal.group(2)) and not LANGUAGE_TAG.match(literal.group(2)):
            found.append(f'default:"{literal.group(2)}"')
    attributes = [(m.group(1), m.group(2)) for m in SPOKEN_ATTRIBUTE.finditer(text)]
    for tag in SUBMIT_VALUE.finditer(text):
        attributes += [("value", m.group(1)) for m in VALUE.finditer(tag.group(0))]
    for name, value in attributes:
        bare = TEMPLATE_TAG.sub(" ", value)
        if LETTER.search(bare):
            found.append(f'{name}="{" ".join(bare.split())}"')
    text = TEMPLATE_TAG.sub(" ", text)
    text = HTML_TAG.sub(" ", text)
    text = ENTITY.sub(" ", text)
    for line in text.splitlines():
        if LETTER.search(line):
            found.append(" ".join(line.split()))
    return found


def template_files():
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"})


def test_the_scan_finds_templates():
    assert len(template_files()) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "<p>Key figures</p>",
        '<nav aria-label="Main"></nav>',
        '<input type="search" placeholder="Search all records">',
        '<input type="submit" name="apply" value="Change">',
        '<p>{{ empty|default:"None recorded." }}</p>',
        "{% if x %}Draft{% endif %}",
        '<span title="Not visible {{ x }}">·</span>',
    ],
)
def test_the_scan_catches_an_unmarked_string(text):
    assert unmarked_words(text)


@pytest.mark.parametrize(
    "text",
    [
        '{% load i18n %}<p>{% translate "Key figures" %}</p>',
        "<nav aria-label=\"{% translate 'Main' context 'navigation' %}\"></nav>",
        "<p>{% blocktranslate trimmed with n=x %}See <a href='{{ u }}'>all</a> {{ n }}"
        "{% endblocktranslate %}</p>",
        "{# a comment #}{% comment %}notes{% endcomment %}<p>{{ record.title }} · ¶ 3 – 5</p>",
        "<script>var x = 'words';</script><!-- html comment --><p>&amp; &#8288;</p>",
        '<a href="?q=1" class="button" lang="{{ source.language|default:\'en\' }}">{{ x }}</a>',
    ],
)
def test_the_scan_passes_marked_strings_and_data(text):
    assert unmarked_words(text) == []


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_every_interface_string_in_a_template_is_marked_for_translation(path):
    allowed = NOT_WORDS.get(path.relative_to(TEMPLATES).as_posix(), set())
    found = [
        text for text in unmarked_words(path.read_text(encoding="utf-8")) if text not in allowed
    ]
    assert found == [], f"{path.relative_to(TEMPLATES)}: not marked for translation: {found}"


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_a_template_that_translates_loads_i18n(path):
    text = path.read_text(encoding="utf-8")
    if re.search(r"{%\s*(translate|trans|blocktranslate|blocktrans)\b", text):
        assert re.search(r"{%\s*load\b[^%]*\bi18n\b", text), path.relative_to(TEMPLATES)
