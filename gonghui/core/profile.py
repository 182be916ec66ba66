"""The sections of a member's page and of a union's page, each added by the app that owns what it shows.

An app registers ``fn(*, actor, ...) -> dict | None`` with the template that renders its context; None leaves the
section out (nothing to show, or not the actor's to see). Core never imports the apps: it only calls what they
registered, in order, so later apps (grants, claims, honors, event entries) add theirs without touching the pages.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    order: int
    fn: Callable
    template: str


_MEMBER: dict[str, Section] = {}
_ORG: dict[str, Section] = {}


def register_member_section(key: str, title, order: int, fn: Callable, template: str) -> None:
    """``fn(*, actor, person, membership)``: ``membership`` is the current one in the actor's scope, or None."""
    _MEMBER[key] = Section(key, title, order, fn, template)


def register_org_section(key: str, title, order: int, fn: Callable, template: str) -> None:
    """``fn(*, actor, org)``: ``org`` is already checked to be in the actor's scope."""
    _ORG[key] = Section(key, title, order, fn, template)


def _render(sections: dict[str, Section], **kwargs) -> list[dict]:
    """Each section rendered with its own context (its template sees only what its function returned)."""
    out = []
    for s in sorted(sections.values(), key=lambda s: (s.order, s.key)):
        context = s.fn(**kwargs)
        if context is not None:
            html = render_to_string(s.template, {**context, "actor": kwargs["actor"]})
            out.append({"key": s.key, "title": s.title, "html": html})
    return out


def member_sections(*, actor, person, membership) -> list[dict]:
    return _render(_MEMBER, actor=actor, person=person, membership=membership)


def org_sections(*, actor, org) -> list[dict]:
    return _render(_ORG, actor=actor, org=org)
