"""Screens of the account owner and the three administrators (users, security, audit)."""

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gonghui.orgs.selectors import org_scope

from . import audit, audit_anchors, otp, users_services
from .admin_forms import (
    AuditFilterForm,
    GrantForm,
    PasswordChangeForm,
    ResetPasswordForm,
    SecondFactorResetForm,
    SecurityPolicyForm,
    TokenForm,
    UserCreateForm,
    UserFilterForm,
)
from .audit_screen import audit_export, audit_filter, audit_page, audit_scope, describe
from .forms import apply_validation_error
from .listing import Column, ListPage
from .models import ApiToken, Grant, SecurityPolicy, User
from .views import requires


@login_required
def account(request):
    actor = request.actor
    pw_form = PasswordChangeForm(prefix="pw")
    token_form = TokenForm(prefix="tk")
    new_token = None
    if request.method == "POST" and "pw-old_password" in request.POST:
        pw_form = PasswordChangeForm(request.POST, prefix="pw")
        if pw_form.is_valid():
            try:
                users_services.password_change(actor=actor, old_password=pw_form.cleaned_data["old_password"],
                                               new_password=pw_form.cleaned_data["new_password"])
            except ValidationError as exc:
                apply_validation_error(pw_form, exc)
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, actor.user)
                messages.success(request, _("Your password has been changed."))
                return redirect("core:account")
    elif request.method == "POST" and "tk-name" in request.POST:
        token_form = TokenForm(request.POST, prefix="tk")
        if not _may_create_tokens(request):
            token_form.add_error(None, _("Finish setting up two-step verification and changing your password "
                                         "before you create a token."))
        elif token_form.is_valid():
            try:
                _token, new_token = users_services.api_token_create(actor=actor, name=token_form.cleaned_data["name"])
            except ValidationError as exc:
                apply_validation_error(token_form, exc)
    tokens = ApiToken.objects.filter(user=actor.user).select_related("grant__org").order_by("-created_at")
    policy = SecurityPolicy.current()
    enrolled = otp.has_authenticator(request.user)
    return render(request, "core/account.html", {
        "title": _("My account"), "pw_form": pw_form, "token_form": token_form, "tokens": tokens,
        "new_token": new_token, "two_factor": {
            "enrolled": enrolled, "required": policy.require_second_factor,
            "codes_left": otp.recovery_codes_left(request.user) if enrolled else 0},
        "password_expired": request.user.password_expired(policy.password_max_age_days),
        "password_max_age_days": policy.password_max_age_days,
    })


def _may_create_tokens(request) -> bool:
    """A token outlives the session: only a fully signed-in user (second factor shown when the account has or
    needs one, no password change pending) creates one."""
    user = request.user
    if user.must_change_password or user.password_expired(SecurityPolicy.current().password_max_age_days):
        return False
    return user.is_verified() or not otp.second_factor_required(user)


@login_required
@require_POST
def token_revoke(request, prefix: str):
    token = get_object_or_404(ApiToken, user=request.actor.user, prefix=prefix, revoked_at__isnull=True)
    users_services.api_token_revoke(actor=request.actor, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("core:account")


@require_safe
@requires("audit.view")
def audit_list(request):
    actor = request.actor
    form = AuditFilterForm(request.GET or None, actor=actor)
    qs = audit_filter(actor=actor, form=form) if request.GET else audit_scope(actor)
    if request.GET.get("export") == "xlsx":
        filters = {k: v for k, v in request.GET.items() if k not in ("export", "before", "after") and v}
        return audit_export(actor=actor, qs=qs, filters=filters)
    page = audit_page(qs, before=request.GET.get("before"), after=request.GET.get("after"))
    params = request.GET.copy()
    for key in ("before", "after", "export"):
        params.pop(key, None)
    base = params.urlencode()
    context = {
        "title": _("Audit trail"), "form": form, "events": describe(actor, page.events), "page": page,
        "query": base, "exportable": actor.can("export"),
        "export_url": "?" + (base + "&" if base else "") + "export=xlsx",
        "audit_anchors": audit_anchors.for_screen(actor),
    }
    return render(request, "core/audit_list.html", context)


@requires("user.manage")
def user_list(request):
    form = UserFilterForm(request.GET or None)
    paths = org_scope(actor=request.actor).values("pk")
    qs = User.objects.filter(grants__org__in=paths).distinct()
    # Users whose grants lie (also) outside the scope are managed higher up; show only fully-covered ones.
    qs = qs.exclude(grants__in=Grant.objects.exclude(org__in=paths))
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if role := form.cleaned_data["role"]:
            qs = qs.filter(grants__role=role)
    columns = [
        Column(_("Username"), lambda u: u.username, sort="username",
               url=lambda u: reverse("core:user_detail", args=[u.username])),
        Column(_("Full name"), lambda u: u.display_name, sort="display_name"),
        Column(_("Roles"), lambda u: "；".join(str(g) for g in u.grants.all())),
        Column(_("Active"), lambda u: u.is_active),
        Column(_("Last login"), lambda u: u.last_login.astimezone().strftime("%Y-%m-%d %H:%M") if u.last_login
               else ""),
    ]
    qs = qs.prefetch_related("grants__org")
    page = ListPage(request, qs, columns, filter_form=form, default_sort="username")
    return page.response(context={"title": _("Users and grants"),
                                  "page_actions": [{"label": _("New user"), "url": reverse("core:user_create")}]})


def _org_by_code(actor, code: str):
    return org_scope(actor=actor).filter(code=code.strip().upper(), status="active").first()


@requires("user.manage")
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = _org_by_code(request.actor, d["org"])
        if org is None:
            form.add_error("org", _("No active unit with this code in your scope."))
        else:
            try:
                user = users_services.user_create(actor=request.actor, username=d["username"],
                                                  display_name=d["display_name"], password=d["password"],
                                                  role=d["role"], org=org)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("User %(u)s created.") % {"u": user.username})
                return redirect("core:user_detail", username=user.username)
    return render(request, "core/form_page.html", {"title": _("New user"), "form": form,
                                                   "cancel_url": reverse("core:users")})


def _user_in_scope(actor, username: str) -> User:
    user = get_object_or_404(User, username=username)
    paths = list(user.grants.values_list("org__path", flat=True))
    if not paths or any(not actor.covers(p) for p in paths):
        from django.http import Http404

        raise Http404
    return user


@requires("user.manage")
def user_detail(request, username: str):
    user = _user_in_scope(request.actor, username)
    grant_form = GrantForm(prefix="g", actor=request.actor)
    reset_form = ResetPasswordForm(prefix="r")
    if request.method == "POST":
        try:
            if "g-role" in request.POST:
                grant_form = GrantForm(request.POST, prefix="g", actor=request.actor)
                if grant_form.is_valid():
                    org = _org_by_code(request.actor, grant_form.cleaned_data["org"])
                    if org is None:
                        grant_form.add_error("org", _("No active unit with this code in your scope."))
                    else:
                        users_services.grant_add(actor=request.actor, user=user,
                                                 role=grant_form.cleaned_data["role"], org=org)
                        messages.success(request, _("Role added."))
                        return redirect(request.path)
            elif "remove_grant" in request.POST:
                grant = get_object_or_404(Grant, pk=request.POST["remove_grant"], user=user)
                users_services.grant_remove(actor=request.actor, grant=grant)
                messages.success(request, _("Role removed."))
                return redirect(request.path)
            elif "r-password" in request.POST:
                reset_form = ResetPasswordForm(request.POST, prefix="r")
                if reset_form.is_valid():
                    users_services.user_reset_password(actor=request.actor, user=user,
                                                       password=reset_form.cleaned_data["password"])
                    messages.success(request, _("Password reset; the user must change it at next login."))
                    return redirect(request.path)
            elif "set_active" in request.POST:
                users_services.user_set_active(actor=request.actor, user=user,
                                               active=request.POST["set_active"] == "1")
                messages.success(request, _("Account updated."))
                return redirect(request.path)
        except ValidationError as exc:
            target = reset_form if "r-password" in request.POST else grant_form
            if "set_active" in request.POST or "remove_grant" in request.POST:
                messages.error(request, " ".join(exc.messages))
            else:
                apply_validation_error(target, exc)
    return render(request, "core/user_detail.html", {
        "title": _("User %(u)s") % {"u": user.username}, "subject": user,
        "grants": user.grants.select_related("org"), "grant_form": grant_form, "reset_form": reset_form,
        "breadcrumbs": [{"label": _("Users and grants"), "url": reverse("core:users")}, {"label": user.username}],
    })


@requires("security.manage")
def security(request):
    policy = SecurityPolicy.objects.get_or_create(pk=1)[0]
    form = SecurityPolicyForm(request.POST or None, instance=policy)
    reset_form = SecondFactorResetForm(prefix="mfa")
    if request.method == "POST" and "mfa-username" in request.POST:
        reset_form = SecondFactorResetForm(request.POST, prefix="mfa")
        if reset_form.is_valid():
            subject = User.objects.filter(username=reset_form.cleaned_data["username"].strip()).first()
            try:
                if subject is None:
                    raise PermissionDenied
                otp.second_factor_reset(actor=request.actor, user=subject)
            except PermissionDenied:
                reset_form.add_error("username", _("No such user in your scope."))
            else:
                messages.success(request, _("Two-step verification of %(u)s removed; they set it up again at the "
                                            "next sign-in.") % {"u": subject.username})
                return redirect("core:security")
        form = SecurityPolicyForm(instance=policy)
    elif request.method == "POST" and "unlock" in request.POST:
        username = request.POST["unlock"]
        axes_reset(username=username)
        audit.record(actor=request.actor, action="security.unlock", object_type="user", object_id=username)
        messages.success(request, _("Account %(u)s unlocked.") % {"u": username})
        return redirect("core:security")
    if request.method == "POST" and "mfa-username" not in request.POST and form.is_valid():
        changed = form.changed_data
        with transaction.atomic():
            policy = form.save()
            audit.record(actor=request.actor, action="security.policy", object_type="security_policy",
                         object_id="1", details={f: form.cleaned_data[f] for f in changed})
        messages.success(request, _("Security settings saved."))
        return redirect("core:security")
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:100]
    return render(request, "core/security.html", {"title": _("Security settings"), "form": form,
                                                  "attempts": attempts, "reset_form": reset_form})
