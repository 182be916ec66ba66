"""The public disclosure board (公开栏): what each union publishes to its members and the public, without a login.

The board of a union lists "sections" from a small registry, so each app adds its own: funds register the yearly
income and expense summary with 三公 spending here; aid and democracy add theirs with ``register_section``. A section
shows only what its union has explicitly published, never personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.forms import apply_validation_error
from gonghui.core.middleware import client_ip
from gonghui.orgs.models import Org, Status

from .forms import RespondForm, UnionSearchForm

SEARCH_LIMIT = (120, 600)
RESPOND_LIMIT = (10, 3600)  # objections per client address an hour


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


def _publication_items(org):
    from .publications import board_items

    return board_items(org)


register_section(Section("publications", gettext_lazy("Notices"), _publication_items,
                         "portal/disclosure_publications.html"))


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


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def publication_respond(request, code: str, pk: int):
    """A worker's answer to one current publication of a board (an objection to a 公示), rate-limited by address."""
    from .publications import current_publication_get, kinds

    org = _public_org(code)
    pub = current_publication_get(org, pk)
    kind = kinds().get(pub.kind) if pub is not None else None
    if kind is None or kind.respond is None:
        raise Http404
    form = RespondForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.count(request, group="portal:publication-respond", value=client_ip(request) or "-",
                            rate=RESPOND_LIMIT):
            raise Ratelimited
        if form.is_valid():
            try:
                kind.respond(pub, text=form.cleaned_data["text"], contact=form.cleaned_data["contact"],
                             ip=client_ip(request))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return render(request, "portal/publication_responded.html", {
                    "title": _("Objection received"), "org": org, "publication": pub})
    return render(request, "portal/publication_respond.html", {
        "title": str(kind.respond_label), "org": org, "publication": pub, "form": form},
        status=422 if request.method == "POST" else 200)


urlpatterns = [
    path("disclosure/", disclosure, name="disclosure"),
    path("disclosure/<str:code>/", disclosure_board, name="disclosure_board"),
    path("disclosure/<str:code>/notices/<int:pk>/respond/", publication_respond, name="publication_respond"),
]
