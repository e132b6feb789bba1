"""Reusable queries, one chainable QuerySet per kind of record.

Visibility is decided here and nowhere else: every page, export, search and
brief asks `visible_to(user)`, so a draft can only leak through one bug.
"""

from django.db import models


class PublishableQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        # Fixtures name records by slug, so loading the seed twice updates
        # the same rows instead of adding new ones.
        return self.get(slug=slug)

    def published(self):
        return self.filter(publication_status="published")

    def visible_to(self, user):
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()


class SourceQuerySet(PublishableQuerySet):
    pass


class ActorQuerySet(PublishableQuerySet):
    pass


class FacilityQuerySet(PublishableQuerySet):
    pass


class AgreementQuerySet(PublishableQuerySet):
    pass


class TransferQuerySet(PublishableQuerySet):
    pass


class DetaineeGroupQuerySet(PublishableQuerySet):
    pass


class EventQuerySet(PublishableQuerySet):
    pass


class StatementQuerySet(PublishableQuerySet):
    pass


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class AgreementPartyQuerySet(models.QuerySet):
    def get_by_natural_key(self, agreement_slug, actor_slug, role):
        return self.get(agreement__slug=agreement_slug, actor__slug=actor_slug, role=role)


class DesignationQuerySet(models.QuerySet):
    def get_by_natural_key(self, actor_slug, label):
        return self.get(actor__slug=actor_slug, label=label)
