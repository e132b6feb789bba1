"""schema.org JSON-LD for record and table pages, so search engines and
fact-check aggregators can read what a page is about and where each claim
comes from.

A record is described as the schema.org type that fits it (a person, an
organization, a place, an event, a quotation; a Thing where none fits
better), with each of its citations as a `Claim`: the verbatim quote, with
its `citation` to the source it is from (a `NewsArticle`, or the kind of
work the source is). A source's own page describes the source. A table page
is a `Dataset`, with a `distribution` for each way to download it (CSV,
JSON, the data package, the API).

The types are keyed by model class here rather than added to the kinds'
registry: they matter to this one surface only.
"""

import json

from django.conf import settings
from django.urls import reverse

from . import presentation
from .models import Actor, Agreement, DetaineeGroup, Event, Facility, Source, Statement, Transfer
from .querysets import shown_relation

CONTEXT = "https://schema.org"
ORGANIZATION_KINDS = {
    Actor.Kind.GOVERNMENT: "GovernmentOrganization",
    Actor.Kind.GOVERNMENT_OFFICE: "GovernmentOrganization",
    Actor.Kind.NGO: "NGO",
    Actor.Kind.MEDIA_OUTLET: "NewsMediaOrganization",
}
SOURCE_TYPES = {
    Source.Kind.NEWS_ARTICLE: "NewsArticle",
    Source.Kind.NEWS_REPORT: "NewsArticle",
    Source.Kind.SOCIAL_MEDIA_POST: "SocialMediaPosting",
    Source.Kind.NGO_REPORT: "Report",
    Source.Kind.OFFICIAL_STATEMENT: "CreativeWork",
}


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _absolute(request, path):
    return request.build_absolute_uri(path)


def source_work(source, request):
    """A source as the creative work it is: what a claim's `citation` names."""
    work = {
        "@type": SOURCE_TYPES.get(source.kind, "CreativeWork"),
        "@id": _absolute(request, source.get_absolute_url()),
        "headline": source.title,
        "name": source.title,
        "url": source.url or _absolute(request, source.get_absolute_url()),
    }
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    if source.language:
        work["inLanguage"] = source.language
    return work


def _own_properties(record, request):
    """The schema.org type and properties of the record itself."""
    model = type(record)
    if model is Actor:
        if record.kind == Actor.Kind.PERSON:
            data = {"@type": "Person"}
            if record.role:
                data["jobTitle"] = record.role
        else:
            data = {"@type": ORGANIZATION_KINDS.get(record.kind, "Organization")}
        aliases = _lines(record.aliases)
        if aliases:
            data["alternateName"] = aliases
        return data
    if model is Facility:
        data = {"@type": "Place"}
        names = [name for name in [record.short_name, *_lines(record.aliases)] if name]
        if names:
            data["alternateName"] = names
        if record.country:
            data["address"] = {"@type": "PostalAddress", "addressCountry": record.country}
        return data
    if model in (Event, Transfer):
        data = {"@type": "Event"}
        date = presentation.stated_date_iso(record)
        if date:
            data["startDate"] = date
        facility = shown_relation(record, "facility" if model is Event else "destination")
        if facility is not None:
            data["location"] = {
                "@type": "Place",
                "name": facility.name,
                "@id": _absolute(request, facility.get_absolute_url()),
            }
        elif getattr(record, "location", ""):
            data["location"] = {"@type": "Place", "name": record.location}
        return data
    if model is Statement:
        # Only a direct quote is a Quotation: a paraphrase is the source's
        # wording of what was said, and must not read as the speaker's words.
        if record.kind == Statement.Kind.DIRECT_QUOTE:
            data = {"@type": "Quotation", "text": record.text}
        else:
            data = {
                "@type": "CreativeWork",
                "abstract": record.text,
                "description": "A paraphrase, in the source's words, of what was said.",
            }
        speaker = shown_relation(record, "speaker")
        if speaker is not None:
            data["creator"] = {
                "@type": "Person" if speaker.kind == Actor.Kind.PERSON else "Organization",
                "name": speaker.name,
                "@id": _absolute(request, speaker.get_absolute_url()),
            }
        date = presentation.stated_date_iso(record)
        if date:
            data["dateCreated"] = date
        return data
    if model in (Agreement, DetaineeGroup):
        return {"@type": "Thing"}
    return {"@type": "Thing"}


def record_document(record, kind, citations, request):
    """The JSON-LD of a record's page."""
    url = _absolute(request, record.get_absolute_url())
    if type(record) is Source:
        document = source_work(record, request)
        document["mainEntityOfPage"] = url
        if record.description:
            document["description"] = record.description
        return {"@context": CONTEXT, **document}
    document = {
        "@context": CONTEXT,
        **_own_properties(record, request),
        "@id": url,
        "url": url,
        "name": presentation.record_label(record, None),
        "mainEntityOfPage": url,
    }
    lead = getattr(record, kind.lead_field, "") if kind.lead_field else ""
    if lead:
        document["description"] = lead
    claims = [
        {
            "@type": "Claim",
            "text": citation.quote,
            "about": {"@id": url},
            "citation": source_work(citation.source, request),
        }
        for citation in citations
        if citation.source_id
    ]
    if claims:
        document["subjectOf"] = claims
    return document


def table_document(kind, request):
    """The JSON-LD of a kind's table page: a Dataset and its downloads."""
    page = _absolute(request, reverse(f"cases:{kind.name}_list"))
    distributions = [
        ("text/csv", f"{page}?_export=csv"),
        ("application/json", f"{page}?_export=json"),
        ("application/json", _absolute(request, reverse(f"api:list_{kind.name}"))),
        (
            "application/vnd.datapackage+json",
            _absolute(request, reverse("data:datapackage")),
        ),
    ]
    return {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": page,
        "url": page,
        "name": str(kind.title),
        "description": str(kind.intro),
        "isAccessibleForFree": True,
        "license": settings.DATA_LICENSE_URL,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": media_type, "contentUrl": address}
            for media_type, address in distributions
        ],
    }


def as_script_text(document):
    """JSON that is safe inside a <script> element: no "</script>" can end it."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
