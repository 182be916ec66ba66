"""The start page at ``/``: what a worker can do here without a login, and the door to the staff login.

A signed-in staff user goes on to their workbench (core's ``home`` picks it by role), so the same address
serves both."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gonghui.core import views as core_views


@never_cache
@require_safe
def start(request):
    if request.user.is_authenticated:
        return core_views.home(request)
    return render(request, "portal/start.html", {"title": _("Workers' service")})
