"""The public disclosure board (公开栏): what each union publishes to its members and the public, without a login.

The board of a union lists "sections" from a small registry, so each app adds its own: funds register the yearly
income and expense summary with 三公 spending here; aid and democracy add theirs with ``register_section``. A section
shows only what its union has explicitly published, never personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.middleware import client_ip
from gonghui.orgs.models import Org, Status

from .forms import UnionSearchForm

SEARCH_LIMIT = (120, 600)


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    items: Callable  # fn(org) -> list of published items (empty: the section is not shown)
    template: str  # renders ``items`` (and ``org``)


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return list(_SECTIONS.values())


def _funds_items(org):
    from gonghui.funds.selectors_budget import published_boards

    return published_boards(org)


register_section(Section("funds", gettext_lazy("Union funds"), _funds_items, "portal/disclosure_funds.html"))


def _public_org(code: str) -> Org:
    code = (code or "").strip()
    org = Org.objects.filter(status=Status.ACTIVE, code__in={code, code.upper()}).first()
    if org is None:
        raise Http404
    return org


@require_safe
def disclosure(request):
    """Find a union's board by its name."""
    form = UnionSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        if ratelimits.count(request, group="portal:disclosure-search", value=client_ip(request) or "-",
                            rate=SEARCH_LIMIT):
            raise Ratelimited
        q = form.cleaned_data["q"].strip()
        results = list(Org.objects.filter(status=Status.ACTIVE, name__icontains=q).order_by("name", "path")
                       .values("code", "name")[:20])
    return render(request, "portal/disclosure.html", {"title": _("Public board"), "form": form, "results": results})


@require_safe
def disclosure_board(request, code: str):
    org = _public_org(code)
    shown = []
    for section in sections():
        items = section.items(org)
        if items:
            shown.append({"key": section.key, "label": section.label, "items": items, "template": section.template})
    return render(request, "portal/disclosure_board.html", {
        "title": _("Public board: %(org)s") % {"org": org.name}, "org": org, "sections": shown})


urlpatterns = [
    path("disclosure/", disclosure, name="disclosure"),
    path("disclosure/<str:code>/", disclosure_board, name="disclosure_board"),
]
