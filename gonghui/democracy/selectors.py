"""Reads of the democracy app, scoped to the actor's subtree (outside it: 404, as if missing)."""

from django.http import Http404

from .models import CriteriaSet, Poll, PollState


def poll_list(*, actor, filters: dict | None = None):
    actor.require("democracy.view")
    qs = Poll.objects.filter(org_path__startswith=actor.org.path).select_related("org")
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs


def poll_get(*, actor, pk) -> Poll:
    actor.require("democracy.view")
    poll = Poll.objects.select_related("org", "electorate_org").filter(pk=pk).first()
    if poll is None or not actor.covers(poll.org_path):
        raise Http404
    return poll


def published_poll(token: str) -> Poll:
    """A published poll by its public token (the result page the electorate is given), else 404."""
    poll = Poll.objects.select_related("org").filter(public_token=token or "", state=PollState.PUBLISHED).first()
    if poll is None:
        raise Http404
    return poll


def criteria_sets():
    from .criteria import ensure_builtin

    ensure_builtin()
    return CriteriaSet.objects.order_by("-builtin", "name")
