from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import audit
from .middleware import SESSION_GRANT
from .models import Outcome


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def requires(perm: str):
    """View decorator: logged in, holding ``perm`` through the current grant; else 403 (recorded)."""
    def wrap(view):
        @login_required
        def inner(request, *args, **kwargs):
            if not request.actor.can(perm):
                audit.record(actor=request.actor, action="access.denied", object_type="url",
                             object_id=request.path[:64], outcome=Outcome.DENIED, details={"perm": perm})
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)
        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        inner.required_perm = perm
        return inner
    return wrap


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    actor = request.actor
    if actor.grant is None:
        return render(request, "core/no_grant.html", {"title": _("No role assigned")}, status=403)
    for perm, target in (("dashboard.view", "orgs:dashboard_home"), ("user.manage", "core:users"),
                         ("security.manage", "core:security"), ("audit.view", "core:audit")):
        if actor.can(perm):
            return redirect(target)
    raise PermissionDenied


@login_required
@require_POST
def switch_grant(request):
    try:
        grant_id = int(request.POST.get("grant", ""))
    except ValueError:
        raise Http404 from None
    if not any(g.id == grant_id for g in request.actor.grants):
        raise Http404
    request.session[SESSION_GRANT] = grant_id
    return redirect("home")
