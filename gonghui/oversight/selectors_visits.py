"""Reads of visits, inspections and tips, always inside the actor's subtree: outside it is a 404 like a missing
object. An inspection item is seen by its unit and every unit above it; a round by its inspecting unit and above."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import FieldVisit, InspectionItem, InspectionRound, VisitFinding, VisitUnit


def visit_scope(*, actor) -> QuerySet[FieldVisit]:
    actor.require("oversight.view")
    return FieldVisit.objects.filter(org_path__startswith=actor.org.path)


def visit_get(*, actor, pk) -> FieldVisit:
    return get_object_or_404(visit_scope(actor=actor).select_related("org", "leader"), pk=pk)


def visit_list(*, actor, filters: dict | None = None) -> QuerySet[FieldVisit]:
    """Newest first by start day (the index on org path and start day serves the first page)."""
    filters = filters or {}
    qs = visit_scope(actor=actor)
    if org := filters.get("org"):
        qs = qs.filter(org_path__startswith=org.path)
    if start := filters.get("start"):
        qs = qs.filter(started_on__gte=start)
    if end := filters.get("end"):
        qs = qs.filter(started_on__lte=end)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(title__icontains=q)
    return qs.select_related("org", "leader").order_by("-started_on", "-pk")


def finding_get(*, actor, pk) -> VisitFinding:
    """A problem found on a visit of the actor's area (its visit comes with it)."""
    actor.require("oversight.view")
    return get_object_or_404(VisitFinding.objects.filter(visit__org_path__startswith=actor.org.path)
                             .select_related("visit", "visit__org"), pk=pk)


def round_scope(*, actor) -> QuerySet[InspectionRound]:
    actor.require("oversight.view")
    return InspectionRound.objects.filter(org_path__startswith=actor.org.path)


def round_get(*, actor, pk) -> InspectionRound:
    return get_object_or_404(round_scope(actor=actor).select_related("org", "leader"), pk=pk)


def round_list(*, actor, filters: dict | None = None) -> QuerySet[InspectionRound]:
    filters = filters or {}
    qs = round_scope(actor=actor)
    if start := filters.get("start"):
        qs = qs.filter(started_on__gte=start)
    if end := filters.get("end"):
        qs = qs.filter(started_on__lte=end)
    return qs.select_related("org", "leader").order_by("-started_on", "-pk")


def item_scope(*, actor) -> QuerySet[InspectionItem]:
    actor.require("oversight.view")
    return InspectionItem.objects.filter(org_path__startswith=actor.org.path)


def item_get(*, actor, pk) -> InspectionItem:
    return get_object_or_404(item_scope(actor=actor).select_related("round", "round__org", "unit"), pk=pk)


def item_list(*, actor, filters: dict | None = None) -> QuerySet[InspectionItem]:
    """Items addressed to the actor's subtree, the earliest answer date first (index on org path and due day)."""
    filters = filters or {}
    qs = item_scope(actor=actor)
    for name in ("state", "kind"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if rnd := filters.get("round"):
        qs = qs.filter(round=rnd)
    return qs.select_related("round", "unit").order_by("due_on", "pk")


def tip_scope(*, actor):
    from .models import Tip

    actor.require("oversight.view")
    return Tip.objects.filter(org_path__startswith=actor.org.path)


def tip_get(*, actor, pk):
    return get_object_or_404(tip_scope(actor=actor).select_related("org"), pk=pk)


def tip_list(*, actor, filters: dict | None = None):
    """Newest first (the index on org path and receipt time serves the first page)."""
    filters = filters or {}
    qs = tip_scope(actor=actor)
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    if start := filters.get("start"):
        qs = qs.filter(created_at__date__gte=start)
    if end := filters.get("end"):
        qs = qs.filter(created_at__date__lte=end)
    if code := (filters.get("code") or "").strip():
        qs = qs.filter(code=code.upper())
    return qs.select_related("org").order_by("-created_at", "-pk")


def _count_of(model, fk: str, **where):
    """A correlated count per row (evaluated for the rows of the page only, not a join over the subtree)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = model.objects.filter(**{fk: OuterRef("pk")}, **where).order_by().values(fk).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1], output_field=IntegerField()), 0)


def with_visit_counts(qs):
    """The list's counts of units visited and problems found, in the list's own query."""
    return qs.annotate(n_units=_count_of(VisitUnit, "visit"), n_findings=_count_of(VisitFinding, "visit"))


def with_round_counts(qs):
    """The list's counts of units inspected, work prompts and feedback forms, in the list's own query."""
    return qs.annotate(n_units=_count_of(InspectionRound.units.through, "inspectionround"),
                       n_prompts=_count_of(InspectionItem, "round", kind="prompt"),
                       n_feedback=_count_of(InspectionItem, "round", kind="feedback"))
