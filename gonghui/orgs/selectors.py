"""Reads of the organization tree, always inside the actor's subtree."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from .models import Org


def org_scope(*, actor) -> QuerySet[Org]:
    if actor.org is None:
        return Org.objects.none()
    return Org.objects.filter(path__startswith=actor.org.path)


def org_get(*, actor, code: str) -> Org:
    """The org with this code in the actor's subtree; 404 for one outside it, exactly like a missing one."""
    return get_object_or_404(org_scope(actor=actor), code=code)


def org_list(*, actor, filters: dict | None = None) -> QuerySet[Org]:
    filters = filters or {}
    qs = org_scope(actor=actor)
    if under := filters.get("under"):
        qs = qs.filter(path__startswith=under.path)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(uscc__iexact=q.upper()))
    for name in ("level", "kind", "ownership", "status"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if (registered := filters.get("registered")) in (True, False):
        qs = qs.filter(legal_person_registered=registered)
    return qs


def org_children(*, actor, org: Org) -> list[Org]:
    """The org's children, each with ``descendants`` (unions below it) counted in one grouped query."""
    actor.require_covers(org.path)
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    width = (org.depth + 1) * Org.steplen
    counts = dict(
        Org.objects.filter(path__startswith=org.path, depth__gt=org.depth + 1)
        .order_by()
        .annotate(prefix=Substr("path", 1, width))
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    for child in children:
        child.descendants = counts.get(child.path, 0)
    return children


def org_ancestors(*, actor, org: Org) -> list[Org]:
    """The breadcrumb trail from the actor's own org down to ``org`` (never above the actor's scope)."""
    top = actor.org.depth
    paths = [org.path[: d * Org.steplen] for d in range(top, org.depth + 1)]
    return list(Org.objects.filter(path__in=paths).order_by("depth"))


def org_move_targets(*, actor, org: Org) -> QuerySet[Org]:
    """Where ``org`` may be moved: active orgs in scope, outside its own subtree, of an allowed parent level."""
    from .models import ALLOWED_PARENTS

    return (
        org_scope(actor=actor)
        .filter(status="active", level__in=ALLOWED_PARENTS[org.level])
        .exclude(path__startswith=org.path)
    )
