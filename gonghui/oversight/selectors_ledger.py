"""Reads of the rectification ledger, scoped to the actor's subtree.

``ledger_page`` serves 50 rows from an index: open measures in (state, urgency, due_on) order — the stored color's
rank, red first — inside the subtree's org_path range; closed ones newest closure first. No count or sort of the whole
subtree."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from gonghui.orgs.models import Org

from .models import EventKind, Measure, MeasureEvent, MeasureState, Progress

STATES = ("open", "requested", "closed", "all")
COLORS = ("red", "yellow", "blue", "none")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ledger_queryset(actor, *, filters: dict | None = None, today: datetime.date | None = None) -> QuerySet[Measure]:
    """The measures of the actor's subtree matching ``filters`` (color, state, unit (org code), owner (user id),
    source, category (ids), overdue), in the ledger's order."""
    actor.require("oversight.view")
    f = filters or {}
    today = today or timezone.localdate()
    path = actor.org.path
    unit = (f.get("unit") or "").strip() if isinstance(f.get("unit"), str) else f.get("unit")
    if unit:
        org = unit if isinstance(unit, Org) else Org.objects.filter(code=unit).only("path").first()
        if org is None or not org.path.startswith(path):
            return Measure.objects.none()
        path = org.path
    qs = Measure.objects.filter(org_path__startswith=path)
    state = f.get("state") or "open"
    if state == "closed":
        qs = qs.filter(state=MeasureState.CLOSED).order_by("-closed_at", "-pk")
    else:
        if state == "open":
            qs = qs.filter(state=MeasureState.OPEN)
        elif state == "requested":
            qs = qs.filter(state=MeasureState.OPEN, closure_requested_at__isnull=False)
        qs = qs.order_by("state", "urgency", "due_on", "pk") if state == "all" else qs.order_by("urgency", "due_on",
                                                                                               "pk")
    color = f.get("color")
    if color in COLORS:
        qs = qs.filter(color="" if color == "none" else color)
    owner = _int(f.get("owner"))
    if owner:
        qs = qs.filter(owner_id=owner)
    source = _int(f.get("source"))
    if source:
        qs = qs.filter(problem__source_id=source)
    category = _int(f.get("category"))
    if category:
        qs = qs.filter(problem__category_id=category)
    if f.get("overdue") in (True, "1", "on", "true"):
        qs = qs.filter(state=MeasureState.OPEN, due_on__lt=today)
    return qs


def ledger_page(actor, *, filters=None, limit: int = 50, offset: int = 0) -> list[Measure]:
    """One page (``limit`` rows from ``offset``) of the ledger, with what the rows show."""
    qs = ledger_queryset(actor, filters=filters)
    return list(qs.select_related("problem", "problem__source", "problem__category", "org", "owner")
                .only(*_PAGE_FIELDS)[offset:offset + limit])


# What a ledger row shows (page and API): the measure itself and a few columns of its problem, unit and owner, not
# their encrypted personal fields (decrypting a cadre's name or a unit's phone per row costs more than the query).
_PAGE_FIELDS = (*(f.name for f in Measure._meta.concrete_fields),
                "problem__number", "problem__title", "problem__source__name", "problem__category__name",
                "org__name", "org__code", "org__path", "owner__username", "owner__display_name")


def timeline(measure: Measure) -> list[MeasureEvent]:
    return list(MeasureEvent.objects.filter(measure=measure).select_related("by").order_by("at", "pk"))


def progress_reports(measure: Measure) -> list[Progress]:
    return list(Progress.objects.filter(measure=measure).select_related("by").order_by("-at", "-pk"))


def problem_measures(actor, *, problem) -> list[Measure]:
    actor.require("oversight.view")
    actor.require_covers(problem.org_path)
    return list(Measure.objects.filter(problem=problem).select_related("owner").order_by("due_on", "pk"))


__all__ = ["EventKind", "ledger_page", "ledger_queryset", "problem_measures", "progress_reports", "timeline"]
