"""Reads of the congresses, proposals and disclosure records, scoped to the actor's subtree (outside it: 404, as
if missing)."""

from django.db.models import Count
from django.http import Http404

from .models import AgendaItem, Congress, Delegate, Disclosure, Proposal, ProposalState, Session

# The proposal inbox's tabs, each a filter on the state (and the color for the overdue one).
TABS = ("submitted", "accepted", "assigned", "overdue", "answered", "closed", "all")
CLOSED = (ProposalState.RATED, ProposalState.DECLINED, ProposalState.CONVERTED)


def congress_list(*, actor, filters: dict | None = None):
    actor.require("democracy.view")
    qs = Congress.objects.filter(org_path__startswith=actor.org.path).select_related("org")
    filters = filters or {}
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(org__name__icontains=filters["q"])
    return qs


def congress_get(*, actor, pk) -> Congress:
    actor.require("democracy.view")
    congress = Congress.objects.select_related("org").filter(pk=pk).first() if str(pk).isdigit() else None
    if congress is None or not actor.covers(congress.org_path):
        raise Http404
    return congress


def sessions_of(congress: Congress) -> list[Session]:
    sessions = list(Session.objects.filter(congress=congress).order_by("number"))
    items = AgendaItem.objects.filter(session__in=sessions).order_by("session", "position")
    by_session: dict[int, list] = {}
    for item in items:
        by_session.setdefault(item.session_id, []).append(item)
    for s in sessions:
        s.agenda = by_session.get(s.pk, [])
        for item in s.agenda:
            item.session = s  # the adoption rule reads the session's delegates
    return sessions


def session_get(*, actor, pk) -> Session:
    actor.require("democracy.view")
    session = Session.objects.select_related("congress__org").filter(pk=pk).first() if str(pk).isdigit() else None
    if session is None or not actor.covers(session.org_path):
        raise Http404
    return session


def agenda_item_get(*, actor, pk) -> AgendaItem:
    actor.require("democracy.view")
    item = AgendaItem.objects.select_related("session__congress__org").filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if item is None or not actor.covers(item.session.org_path):
        raise Http404
    return item


def delegates_of(congress: Congress):
    return Delegate.objects.filter(congress=congress).order_by("election_unit", "name", "pk")


def delegate_choices(congress: Congress) -> list[Delegate]:
    return list(delegates_of(congress).only("pk", "name", "election_unit", "congress_id"))


def proposal_scope(*, actor, congress: Congress | None = None):
    actor.require("democracy.view")
    qs = Proposal.objects.filter(org_path__startswith=actor.org.path)
    return qs.filter(congress=congress) if congress is not None else qs


def proposal_list(*, actor, tab: str = "all", filters: dict | None = None, congress: Congress | None = None):
    qs = proposal_scope(actor=actor, congress=congress).select_related("congress__org", "proposer")
    if tab == "overdue":
        qs = qs.filter(state=ProposalState.ASSIGNED, color="red")
    elif tab == "closed":
        qs = qs.filter(state__in=CLOSED)
    elif tab in ProposalState.values:
        qs = qs.filter(state=tab)
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    if filters.get("department"):
        qs = qs.filter(department__icontains=filters["department"])
    return qs


def proposal_counts(*, actor, congress: Congress | None = None) -> dict[str, int]:
    """The count of each tab: one query grouped by state and color."""
    counts = dict.fromkeys(TABS, 0)
    rows = proposal_scope(actor=actor, congress=congress).values("state", "color").annotate(n=Count("pk")).order_by()
    for row in rows:
        counts["all"] += row["n"]
        if row["state"] in CLOSED:
            counts["closed"] += row["n"]
        else:
            counts[row["state"]] += row["n"]
        if row["state"] == ProposalState.ASSIGNED and row["color"] == "red":
            counts["overdue"] += row["n"]
    return counts


def proposal_get(*, actor, pk) -> Proposal:
    actor.require("democracy.view")
    p = Proposal.objects.select_related("congress__org", "proposer", "entered_by").filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if p is None or not actor.covers(p.org_path):
        raise Http404
    return p


def timeline(p: Proposal):
    return list(p.events.select_related("by").order_by("at", "pk"))


def disclosure_list(*, actor, filters: dict | None = None):
    actor.require("democracy.view")
    qs = Disclosure.objects.filter(org_path__startswith=actor.org.path).select_related("org")
    filters = filters or {}
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("q"):
        qs = qs.filter(subject__icontains=filters["q"])
    return qs
