"""The account owner's second factor: set up an authenticator app (QR code or typed key), recovery codes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import otp
from .admin_forms import EnrolForm
from .forms import apply_validation_error

# The secret being set up stays in the session (never in a page address) until the app shows a valid code.
SESSION_KEY = "gonghui_totp_key"


@never_cache
@login_required
def two_factor(request):
    user = request.user
    if otp.has_authenticator(user):
        messages.info(request, _("Two-step verification is already set up."))
        return redirect("core:account")
    key = request.session.get(SESSION_KEY)
    if not key:
        key = request.session[SESSION_KEY] = otp.new_key()
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = otp.second_factor_enrol(actor=request.actor, key=key, code=form.cleaned_data["code"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            del request.session[SESSION_KEY]
            request.session.cycle_key()
            otp_login(request, device)
            return _show_codes(request, codes, first=True)
    return render(request, "core/two_factor_enrol.html", {
        "title": _("Set up two-step verification"), "form": form, "key_text": otp.key_text(key),
        "required": otp.SecurityPolicy.current().require_second_factor,
    })


@never_cache
@login_required
def two_factor_qr(request):
    """The QR code of the secret being set up, as an SVG image of its own (the page has no inline content)."""
    key = request.session.get(SESSION_KEY)
    if not key or otp.has_authenticator(request.user):
        raise Http404
    response = HttpResponse(otp.qr_svg(otp.config_url(request.user, key)), content_type="image/svg+xml")
    add_never_cache_headers(response)
    return response


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    """Ten new recovery codes, shown once; the old ones stop working. Only from a verified session."""
    if not request.user.is_verified():
        raise Http404
    try:
        codes = otp.recovery_codes_regenerate(actor=request.actor)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:account")
    return _show_codes(request, codes, first=False)


def _show_codes(request, codes: list[str], *, first: bool):
    response = render(request, "core/two_factor_codes.html", {
        "title": _("Recovery codes"), "codes": [otp.show_code(c) for c in codes], "first": first})
    add_never_cache_headers(response)
    return response
