"""Reads of medical mutual aid plans, enrolments and claims inside the actor's subtree (outside it: a 404).

A plan is seen by its union's subtree and every union above it (like a program); an enrolment and a claim by the
units above their own. A claim's state as shown (``MutualClaim.status``) reads its grant once approved: the state
filter does the same in SQL."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gonghui.core.figures import Period, rate
from gonghui.core.figures import get as figure_get

from .models import ClaimState, MutualClaim, MutualEnrolment, MutualPlan
from .selectors_programs import _ancestors_or_below


def plan_scope(*, actor) -> QuerySet[MutualPlan]:
    actor.require("aid.view")
    return MutualPlan.objects.filter(_ancestors_or_below(actor))


def plan_get(*, actor, pk) -> MutualPlan:
    return get_object_or_404(plan_scope(actor=actor).select_related("org", "program"), pk=pk)


def plan_list(*, actor, filters: dict | None = None) -> QuerySet[MutualPlan]:
    filters = filters or {}
    qs = plan_scope(actor=actor)
    if year := filters.get("year"):
        qs = qs.filter(year=year)
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    return qs.select_related("org", "program").order_by("-year", "-pk")


def enrolment_scope(*, actor) -> QuerySet[MutualEnrolment]:
    actor.require("aid.view")
    return MutualEnrolment.objects.filter(org_path__startswith=actor.org.path)


def enrolment_get(*, actor, pk) -> MutualEnrolment:
    return get_object_or_404(enrolment_scope(actor=actor).select_related("plan", "unit", "person"), pk=pk)


def enrolment_list(*, actor, plan: MutualPlan, filters: dict | None = None) -> QuerySet[MutualEnrolment]:
    filters = filters or {}
    qs = enrolment_scope(actor=actor).filter(plan=plan)
    if unit := filters.get("unit"):
        qs = qs.filter(org_path__startswith=unit.path)
    return qs.select_related("unit", "person")


def enrolment_find(*, actor, plan: MutualPlan, id_number: str) -> MutualEnrolment | None:
    """The worker's enrolment in the plan, found by the ID number's blind index, inside the actor's subtree."""
    from gonghui.core import crypto

    number = (id_number or "").strip().upper()
    if not number:
        return None
    return (enrolment_scope(actor=actor).filter(plan=plan, person__id_number_bidx=crypto.blind_index(
        number, kind="id_number")).select_related("plan", "unit", "person").first())


def _state_q(state: str) -> Q:
    if state == ClaimState.PAID:
        return Q(state=ClaimState.APPROVED, grant__state="paid")
    if state == ClaimState.REFUSED:
        return Q(state=ClaimState.REFUSED) | Q(state=ClaimState.APPROVED, grant__state="refused")
    if state == ClaimState.APPROVED:
        return Q(state=ClaimState.APPROVED, grant__state="approved")
    return Q(state=state)


def claim_scope(*, actor) -> QuerySet[MutualClaim]:
    actor.require("aid.view")
    return MutualClaim.objects.filter(org_path__startswith=actor.org.path)


def claim_get(*, actor, pk) -> MutualClaim:
    return get_object_or_404(claim_scope(actor=actor).select_related(
        "plan__program", "org", "enrolment__person", "grant"), pk=pk)


def claim_list(*, actor, filters: dict | None = None) -> QuerySet[MutualClaim]:
    filters = filters or {}
    qs = claim_scope(actor=actor)
    if unit := filters.get("unit"):
        qs = qs.filter(org_path__startswith=unit.path)
    if plan := filters.get("plan"):
        qs = qs.filter(plan=plan)
    if state := filters.get("state"):
        qs = qs.filter(_state_q(state))
    if month := filters.get("month"):  # "2026-03": the month of discharge
        try:
            start = datetime.date(int(month[:4]), int(month[5:7]), 1)
        except (ValueError, TypeError):
            start = None
        if start is not None:
            qs = qs.filter(discharged_on__year=start.year, discharged_on__month=start.month)
    return qs.select_related("plan", "org", "enrolment__person", "grant")


def review_queue(*, actor) -> QuerySet[MutualClaim]:
    """Claims awaiting review of the plans the actor's subtree runs, not filed by the actor."""
    actor.require("aid.review")
    return (MutualClaim.objects.filter(plan__org_path__startswith=actor.org.path, state=ClaimState.APPLIED)
            .exclude(filed_by=actor.user).select_related("plan", "org", "enrolment__person").order_by("pk"))


def participation(*, actor, plan: MutualPlan) -> dict:
    """Workers covered by the plan in the actor's part of it, the members there (the members app's own figure,
    members.total at the end of the plan's year) and the rate (参保率, target ≥ 80%)."""
    org = actor.org if actor.org.path.startswith(plan.org_path) else plan.org
    covered = MutualEnrolment.objects.filter(plan=plan, org_path__startswith=org.path).count()
    members = figure_get("members.total").compute(org, Period.parse(str(plan.year)))
    units = (MutualEnrolment.objects.filter(plan=plan, org_path__startswith=org.path)
             .values("unit_id").distinct().count())
    return {"org": org, "covered": covered, "members": members, "units": units, "rate": rate(covered, members)}
