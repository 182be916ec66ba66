"""Each union's join link as a QR code: a PNG and a printable poster, for officers covering the union."""

import io

import segno
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core.views import requires

from . import selectors
from .models import Level, Org

JOINABLE = (Level.GRASSROOTS, Level.BRANCH)  # the levels the public join page takes members for


def _join_url(request, org: Org) -> str:
    return request.build_absolute_uri(reverse("portal:join_union", args=[org.code]))


def _joinable(org: Org) -> bool:
    return org.is_active and org.level in JOINABLE


@requires("org.view")
def join_qr(request, code: str):
    org = selectors.org_get(actor=request.actor, code=code)  # 404 outside the actor's subtree
    if not _joinable(org):
        return HttpResponse(status=404)
    out = io.BytesIO()
    # Error level "q" survives a crease or a smudge on a printed poster; scale 10 prints sharply at A4.
    segno.make(_join_url(request, org), error="q").save(out, kind="png", scale=10, border=4)
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f"inline; filename=\"join-{org.code}.png\""
    return response


@requires("org.view")
def join_poster(request, code: str):
    org = selectors.org_get(actor=request.actor, code=code)
    from .views import _crumbs

    return render(request, "orgs/join_poster.html", {
        "title": _("Join %(name)s") % {"name": org.name}, "org": org, "joinable": _joinable(org),
        "join_url": _join_url(request, org), "breadcrumbs": _crumbs(request.actor, org, _("Join QR code")),
    })
