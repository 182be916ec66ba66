"""Audit labels of the workers' congresses, their proposals and the 厂务公开 records."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type

from . import proposals  # noqa: F401  (registers the supervision kind "proposal")


def _ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _resolve_congresses(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Congress

    if not actor.can("democracy.view"):
        return {}
    qs = Congress.objects.filter(pk__in=_ids(ids), org_path__startswith=actor.org.path).select_related("org")
    return {str(c.pk): DisplayedObject(c.title, reverse("democracy:congress_detail", args=[c.pk])) for c in qs}


def _resolve_proposals(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Proposal

    if not actor.can("democracy.view"):
        return {}
    qs = Proposal.objects.filter(pk__in=_ids(ids), org_path__startswith=actor.org.path)
    return {str(p.pk): DisplayedObject(f"{p.number} {p.title}", reverse("democracy:proposal_detail", args=[p.pk]))
            for p in qs}


def _resolve_disclosures(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Disclosure

    if not actor.can("democracy.view"):
        return {}
    qs = Disclosure.objects.filter(pk__in=_ids(ids), org_path__startswith=actor.org.path)
    return {str(d.pk): DisplayedObject(d.subject, reverse("democracy:disclosures")) for d in qs}


register_group("democracy_congress", _("Workers' congresses"))
register_object_type("democracy.congress", _("Workers' congress"), _resolve_congresses)
register_object_type("democracy.proposal", _("Congress proposal"), _resolve_proposals)
register_object_type("democracy.disclosure", _("Disclosure record"), _resolve_disclosures)
_DETAILS = {
    "kind": _("Kind"), "term": _("Term"), "term_start": _("Term starts"), "term_end": _("Term ends"),
    "cosigners_required": _("Co-signers a proposal needs"), "reply_days": _("Working days to answer a proposal"),
    "before": _("Before"), "unit": _("Election unit"), "linked": _("In the members registry"),
    "file": _("File"), "rows": _("Rows"), "number": _("Number"), "held_on": _("Held on"),
    "present": _("Delegates present"), "delegates": _("Delegates"), "session": _("Session"), "title": _("Title"),
    "votes_for": _("Votes for"), "votes_against": _("Votes against"), "votes_abstain": _("Abstentions"),
    "adopted": _("Adopted"), "cosigners": _("Co-signers"), "due_on": _("Answer due on"),
    "department": _("Department"), "late": _("Answered late"), "rating": _("Rating"), "channel": _("Channel"),
    "disclosed_on": _("Disclosed on"),
}
for _code, _label, _type in (
    ("democracy.congress_create", _("Congress term recorded"), "democracy.congress"),
    ("democracy.congress_update", _("Congress rules changed"), "democracy.congress"),
    ("democracy.delegate_add", _("Delegate added"), "democracy.congress"),
    ("democracy.delegate_import", _("Delegates imported"), "democracy.congress"),
    ("democracy.session_create", _("Congress session recorded"), "democracy.congress"),
    ("democracy.agenda_add", _("Agenda item recorded"), "democracy.congress"),
    ("democracy.agenda_vote", _("Vote on an agenda item recorded"), "democracy.congress"),
    ("democracy.proposal_submitted", _("Proposal submitted"), "democracy.proposal"),
    ("democracy.proposal_accepted", _("Proposal accepted (立案)"), "democracy.proposal"),
    ("democracy.proposal_converted", _("Proposal turned into an opinion"), "democracy.proposal"),
    ("democracy.proposal_declined", _("Proposal declined"), "democracy.proposal"),
    ("democracy.proposal_assigned", _("Proposal assigned to a department"), "democracy.proposal"),
    ("democracy.proposal_answered", _("Proposal answered"), "democracy.proposal"),
    ("democracy.proposal_rated", _("Reply rated by the proposer"), "democracy.proposal"),
    ("democracy.proposal_reopened", _("Proposal reopened"), "democracy.proposal"),
    ("democracy.proposal_reminded", _("Proposal reminder sent"), "democracy.proposal"),
    ("democracy.proposal_escalated", _("Overdue proposal raised to the unit above"), "democracy.proposal"),
    ("democracy.disclosure_create", _("Disclosure recorded"), "democracy.disclosure"),
):
    register(_code, _label, group="democracy_congress", object_type=_type, details=_DETAILS)
