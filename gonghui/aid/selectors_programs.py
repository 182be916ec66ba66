"""Reads of programs, grants, batches and visits inside the actor's subtree (outside it: a 404).

A program is seen by its paying union's subtree and every union above it; a grant, a batch, a visit by the units
above their own. Lists are newest first on an (org_path, -id) index: the first page is one index range."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gonghui.orgs.models import Org

from .models import AidVisit, Grant, GrantState, PaymentBatch, Program


def _ancestors_or_below(actor, field: str = "org_path") -> Q:
    """Rows of the actor's subtree, and (for programs) the programs of the unions above it that pay it."""
    path, step = actor.org.path, Org.steplen
    above = [path[:i] for i in range(step, len(path), step)]
    return Q(**{f"{field}__startswith": path}) | Q(**{f"{field}__in": above})


def program_scope(*, actor) -> QuerySet[Program]:
    actor.require("aid.view")
    return Program.objects.filter(_ancestors_or_below(actor))


def program_get(*, actor, pk) -> Program:
    return get_object_or_404(program_scope(actor=actor).select_related("org"), pk=pk)


def program_list(*, actor, filters: dict | None = None) -> QuerySet[Program]:
    filters = filters or {}
    qs = program_scope(actor=actor)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if period := (filters.get("period") or "").strip():
        qs = qs.filter(period_key=period)
    return qs.select_related("org").order_by("-start_on", "-pk")


def grant_scope(*, actor) -> QuerySet[Grant]:
    actor.require("aid.view")
    return Grant.objects.filter(org_path__startswith=actor.org.path)


def grant_get(*, actor, pk) -> Grant:
    return get_object_or_404(grant_scope(actor=actor).select_related("program", "org", "person", "batch"), pk=pk)


def grant_list(*, actor, filters: dict | None = None) -> QuerySet[Grant]:
    filters = filters or {}
    qs = grant_scope(actor=actor)
    if org := filters.get("org"):
        qs = qs.filter(org_path__startswith=org.path)
    for name in ("state", "kind", "program"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    return qs.select_related("program", "org", "person").order_by("-pk")


def inbox(*, actor) -> QuerySet[Grant]:
    """Grants awaiting approval of programs the actor's unit or its subtree pays, not applied for by the actor."""
    actor.require("aid.review")
    return Grant.objects.filter(program__org_path__startswith=actor.org.path, state=GrantState.APPLIED) \
        .exclude(applied_by=actor.user).select_related("program", "org", "person").order_by("pk")


def batch_scope(*, actor) -> QuerySet[PaymentBatch]:
    actor.require("aid.view")
    return PaymentBatch.objects.filter(org_path__startswith=actor.org.path)


def batch_get(*, actor, pk) -> PaymentBatch:
    return get_object_or_404(batch_scope(actor=actor).select_related("program", "org"), pk=pk)


def visit_scope(*, actor) -> QuerySet[AidVisit]:
    actor.require("aid.view")
    return AidVisit.objects.filter(org_path__startswith=actor.org.path)


def visit_get(*, actor, pk) -> AidVisit:
    return get_object_or_404(visit_scope(actor=actor).select_related("org", "program"), pk=pk)
