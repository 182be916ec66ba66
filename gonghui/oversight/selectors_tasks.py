"""Scoped reads of key tasks and target cards: everything within the actor's subtree (else 404)."""

from django.db.models import Prefetch
from django.http import Http404

from .models import Department, KeyTask, Milestone, TargetPlan, TaskReport


def _pk(pk) -> int:
    s = str(pk)
    if not (s.isascii() and s.isdigit()) or len(s) > 18:
        raise Http404
    return int(s)


def task_scope(*, actor):
    actor.require("oversight.view")
    return KeyTask.objects.filter(org_path__startswith=actor.org.path)


def task_list(*, actor, year=None, kind="", lead=None):
    qs = task_scope(actor=actor).select_related("org", "lead", "owner")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if lead:
        qs = qs.filter(lead=lead)
    return qs


def with_progress(qs):
    """Milestones and the latest report of each task, for the progress list (one query each)."""
    return qs.prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
                               Prefetch("reports", queryset=TaskReport.objects.order_by("-on", "-pk")))


def task_get(*, actor, pk) -> KeyTask:
    task = task_scope(actor=actor).select_related("org", "lead", "owner").filter(pk=_pk(pk)).first()
    if task is None:
        raise Http404
    return task


def milestone_get(*, actor, pk) -> Milestone:
    actor.require("oversight.view")
    m = (Milestone.objects.filter(pk=_pk(pk), task__org_path__startswith=actor.org.path)
         .select_related("task", "task__org").first())
    if m is None:
        raise Http404
    return m


def departments(*, org):
    return Department.objects.filter(org=org, active=True).order_by("order", "pk")


def target_scope(*, actor):
    actor.require("oversight.view")
    return TargetPlan.objects.filter(org_path__startswith=actor.org.path)


def target_list(*, actor, year=None, state=""):
    qs = target_scope(actor=actor).select_related("org", "department")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs


def target_get(*, actor, pk) -> TargetPlan:
    plan = target_scope(actor=actor).select_related("org", "department").filter(pk=_pk(pk)).first()
    if plan is None:
        raise Http404
    return plan


def lead_departments(*, actor):
    """The departments a key task of the actor's subtree may be led by (the problems part's department list), for
    the list's filter: the actor's own unit first."""
    actor.require("oversight.view")
    return Department.objects.filter(org_path__startswith=actor.org.path, active=True).select_related("org") \
        .order_by("org_path", "order", "pk")
