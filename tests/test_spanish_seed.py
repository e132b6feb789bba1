"""The seed in Spanish (issue 23): every seeded record's newsroom wording has
its Spanish version, and a Spanish reader meets no English but what is
marked as English (quotes, the sources' own words, what the newsroom has not
translated): the home page, every table, every record's page, the timeline,
a brief of each kind and the dossier are read for any seeded English text
outside an element marked lang="en", and for any untranslated catalogue
entry. The Spanish searches of the issue find their records."""

import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from cases.kinds import KINDS
from tests.test_pdf import folded, pdf_text
from tests.test_spanish import english_fragments, english_left, visible_text

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed.json"
# The words that stay English, marked lang="en": a source's title (its own
# words, or the newsroom's name for it where it has none) and a facility's
# name have no Spanish field.
MARKED_ENGLISH_FIELDS = ("title",)
# Countries, held in English and worded for the reader (presentation.COUNTRY_NAMES).
COUNTRY_FIELDS = ("country", "from_country", "to_country")
# How much of a long English text is looked for (a label may be shortened).
PROBE_LENGTH = 40


def seeded():
    return json.loads(SEED.read_text(encoding="utf-8"))


def model_of(entry):
    return apps.get_model(entry["model"])


def test_every_seeded_newsroom_wording_has_a_spanish_version():
    missing = []
    for entry in seeded():
        fields = entry["fields"]
        for name in getattr(model_of(entry), "spanish_versions", ()):
            if fields.get(name, "").strip() and not fields.get(f"{name}_es", "").strip():
                missing.append(f"{entry['model']} {fields.get('slug', '')}: {name}")
    assert not missing, missing


def test_every_seeded_inference_reason_has_a_spanish_version():
    missing = []
    for entry in seeded():
        fields = entry["fields"]
        spanish = fields.get("inferences_es") or {}
        for name, reason in (fields.get("inferences") or {}).items():
            if not spanish.get(name, "").strip() or spanish[name] == reason:
                missing.append(f"{entry['model']} {fields.get('slug', '')}: {name}")
        assert set(spanish) <= set(fields.get("inferences") or {}), fields.get("slug")
    assert not missing, missing


def test_no_seeded_spanish_version_repeats_its_english():
    for entry in seeded():
        fields = entry["fields"]
        for name in getattr(model_of(entry), "spanish_versions", ()):
            if fields.get(name):
                assert fields[f"{name}_es"] != fields[name], (entry["model"], name)


def english_texts():
    """The seeded English the newsroom wrote (with a Spanish version or not),
    and the sources' titles: (text, has a Spanish version)."""
    texts = []
    for entry in seeded():
        model, fields = model_of(entry), entry["fields"]
        translated = getattr(model, "spanish_versions", ())
        for name in (*translated, *MARKED_ENGLISH_FIELDS):
            value = fields.get(name)
            # A title without a Spanish field is a name (a facility's) but a
            # source's, which is the newsroom's or the source's own words.
            is_a_name = (
                name == "title" and name not in translated and entry["model"] != "cases.source"
            )
            if isinstance(value, str) and len(value) > 12 and not is_a_name:
                texts.append((value, name in translated))
        for reason in (fields.get("inferences") or {}).values():
            texts.append((reason, True))
        for name in COUNTRY_FIELDS:
            value = fields.get(name)
            # Those whose Spanish is another word ("United States").
            if isinstance(value, str) and len(value) > 12:
                texts.append((value, True))
    return texts


def probe(text):
    return folded(text)[:PROBE_LENGTH]


def spanish_pages():
    urls = ["/", reverse("cases:timeline")]
    for kind in KINDS:
        urls.append(reverse(f"cases:{kind.name}_list"))
        urls += [record.get_absolute_url() for record in kind.model.objects.published()]
    return urls


def test_a_spanish_reader_meets_no_unmarked_english(client, seed):
    texts = english_texts()
    fragments = english_fragments()
    found = {}
    for url in spanish_pages():
        response = client.get(url, **SPANISH)
        assert response.status_code == 200, url
        # A browser tab's <title> holds a source's title beside the site's
        # name, and a title element cannot mark part of itself: left out.
        html = re.sub(r"<title>.*?</title>", "", response.content.decode(), flags=re.S)
        text = folded(visible_text(html))
        left = [probe(english) for english, _ in texts if probe(english) in text]
        left += english_left(html, fragments)
        if left:
            found[url] = left
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def spanish_titles():
    """{slug: the Spanish title or name} of the seeded records that have one."""
    titles = {}
    for entry in seeded():
        fields = entry["fields"]
        for name in ("title_es", "name_es"):
            if fields.get(name):
                titles[fields["slug"]] = fields[name]
    return titles


def test_spanish_briefs_and_the_dossier_name_the_records_in_spanish(staff_client, seed):
    """A PDF keeps no lang attributes to read (and its quotes share words
    with the newsroom's English): there, each record is looked for by its
    Spanish title, in the dossier and in its own brief."""
    titles = spanish_titles()
    dossier = pdf_text(staff_client.get(reverse("cases:dossier"), **SPANISH))
    # The dossier prints every record a reader may see; titles may wrap.
    assert not [title for title in titles.values() if folded(title) not in dossier]
    for kind in KINDS:
        for record in kind.model.objects.published().filter(slug__in=titles)[:1]:
            url = reverse(f"cases:{kind.name}_brief", args=[record.slug])
            text = pdf_text(staff_client.get(url, **SPANISH))
            assert folded(titles[record.slug]) in text, url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pago", ["/agreements/custody-for-payment/"]),
        ("deportados", ["/transfers/deportation-of-hundreds/"]),
        ("pandillas", ["/actors/ms-13/", "/actors/tren-de-aragua/"]),
        (
            "acusados de abuso",
            ["/detainee-groups/six-accused-of-child-molestation/"],
        ),
    ],
)
def test_the_issues_spanish_searches_find_their_records(client, seed, query, expected):
    response = client.get(reverse("cases:search"), {"q": query}, **SPANISH)
    links = re.findall(r'<a href="(/[\w-]+/[\w-]+/)"', response.content.decode())
    for link in expected:
        assert link in links, f"{query!r} did not find {link}"
