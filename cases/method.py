"""The method page's definitions, as data: what each claim status means and
who decides it. Every claim badge links to its status's entry here
(/method/#status-<value>), and a test checks every ClaimStatus has one, so a
new status cannot ship without a definition."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ClaimStatus


@dataclass(frozen=True)
class StatusDefinition:
    status: ClaimStatus
    meaning: str
    decided_by: str

    @property
    def anchor(self):
        return f"status-{self.status.value}"

    @property
    def label(self):
        return self.status.label


# Who sets a status is always the newsroom's editors, from what the sources
# say; the wording makes clear whose claim it is.
CLAIM_STATUS_DEFINITIONS = {
    definition.status: definition
    for definition in (
        StatusDefinition(
            ClaimStatus.CONFIRMED,
            _(
                "A party to the fact has said it is so, on the record, in a source we cite "
                "(for example, Bukele confirming that El Salvador receives payments). It is "
                "that party's confirmation as the source reports it, not the newsroom's own "
                "finding."
            ),
            _("An editor, when a cited source quotes or reports the confirmation."),
        ),
        StatusDefinition(
            ClaimStatus.REPORTED,
            _(
                "A source we cite reports it as fact, without a party to it confirming or "
                "disputing it. We repeat the report; we have not verified it ourselves."
            ),
            _("An editor; it is the usual status for what a news report states."),
        ),
        StatusDefinition(
            ClaimStatus.ALLEGED,
            _(
                "Someone accuses or claims it, and the source does not establish it: the "
                "17 people handed over are alleged criminals, not proven ones. The record "
                "names who makes the allegation where the source says."
            ),
            _(
                "An editor; an accusation stays alleged until a source reports it established "
                "(for example, by a court)."
            ),
        ),
        StatusDefinition(
            ClaimStatus.DISPUTED,
            _(
                "Sources we cite disagree about it, or a party to it denies it. Each side is "
                "quoted on the record's page."
            ),
            _("An editor, when a cited source contradicts another."),
        ),
        StatusDefinition(
            ClaimStatus.PROPOSED,
            _(
                "Planned, considered or under negotiation, not in effect: the Safe Third "
                "Country agreement is under consideration, according to CBS News as the "
                "article reports."
            ),
            _("An editor; a proposal stays proposed until a source reports it reached."),
        ),
    )
}


def status_definitions():
    """The definitions in the order ClaimStatus declares the statuses."""
    return [CLAIM_STATUS_DEFINITIONS[status] for status in ClaimStatus]
