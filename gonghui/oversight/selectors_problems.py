"""Reads of problems, always inside the actor's subtree: a problem outside it is a 404 like a missing one."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Department, Problem, ProblemReview, Stage


def problem_scope(*, actor) -> QuerySet[Problem]:
    actor.require("oversight.view")
    return Problem.objects.filter(org_path__startswith=actor.org.path)


def problem_get(*, actor, pk) -> Problem:
    return get_object_or_404(problem_scope(actor=actor).select_related("org", "source", "category", "concerns_org"),
                             pk=pk)


def problem_get_by_number(*, actor, number: str) -> Problem:
    return get_object_or_404(problem_scope(actor=actor).select_related("org", "source", "category"), number=number)


def problem_list(*, actor, filters: dict | None = None) -> QuerySet[Problem]:
    """Newest first (the index on org path and creation time serves the first page)."""
    filters = filters or {}
    qs = problem_scope(actor=actor)
    if org := filters.get("org"):
        qs = qs.filter(org_path__startswith=org.path)
    for name in ("stage", "state", "year", "source", "category"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.get("returned"):
        qs = qs.filter(returned=True)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(title__icontains=q) if not q.upper().startswith("WT-") else qs.filter(number=q.upper())
    return qs.select_related("org", "source", "category").order_by("-created_at", "-pk")


def problem_reviews(*, problem: Problem) -> list[ProblemReview]:
    return list(problem.reviews.select_related("department").order_by("at", "pk"))


def final_problems(*, actor) -> QuerySet[Problem]:
    """Problems in the ledger (定稿), for the ledger part."""
    return problem_scope(actor=actor).filter(stage=Stage.FINAL)


def problems_linked(*, actor, link_kind: str, link_id: int) -> list[Problem]:
    """Problems filed from another object (a fund alert, an audit finding), for its page to link them."""
    if not actor.can("oversight.view"):
        return []
    return list(problem_scope(actor=actor).filter(link_kind=link_kind, link_id=link_id).order_by("pk"))


def department_list(*, actor, org=None) -> QuerySet[Department]:
    org = org or actor.org
    actor.require_covers(org.path)
    return Department.objects.filter(org=org).order_by("order", "pk")


def department_get(*, actor, pk) -> Department:
    return get_object_or_404(Department.objects.filter(org_path__startswith=actor.org.path).select_related("org"),
                             pk=pk)
