"""作风直通车, the public side: a mailbox for tips about the conduct of union cadres, from a phone, anonymous unless
the sender chooses to leave a contact (with its own consent), and the lookup of the answer with the tracking code
and the check code shown once when the tip was sent.

As on the request pages: nothing personal travels in a URL, the pages are not cached, a lookup answers the same
for an unknown code and a wrong check, and rate limits per client address (and wrong checks per code) slow down
anyone flooding the mailbox or sweeping codes.
"""

import hashlib
import time

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.casework import intake
from gonghui.core import ratelimits
from gonghui.core.forms import StyledForm, apply_validation_error
from gonghui.core.middleware import client_ip
from gonghui.oversight import tips

SESSION_DONE = "gonghui_tip_done"
SESSION_TRACKED = "gonghui_tip_tracked"
TRACKED_SECONDS = 30 * 60
DONE_SECONDS = 10 * 60
# (attempts, seconds) per client address, and wrong checks per tracking code. Read when a request comes.
SUBMIT_LIMIT = (10, 3600)
TRACK_LIMIT = (30, 600)
TRACK_CODE_FAILURES = (10, 3600)


def _submit_rate(group, request):
    return SUBMIT_LIMIT


def _track_rate(group, request):
    return TRACK_LIMIT


class TipForm(StyledForm):
    org = forms.ChoiceField(label=gettext_lazy("Which federation should receive it"),
                            error_messages={"required": gettext_lazy("Choose the federation."),
                                            "invalid_choice": gettext_lazy("Choose the federation.")})
    subject = forms.CharField(label=gettext_lazy("In a few words"), max_length=tips.SUBJECT_MAX)
    body = forms.CharField(label=gettext_lazy("What happened: who, when, where"), max_length=tips.BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))
    contact_name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=50, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact_phone = forms.CharField(label=gettext_lazy("Your phone (optional)"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                                  "autocomplete": "tel"}))
    consent = forms.BooleanField(
        label=gettext_lazy("I agree to the union processing the contact I gave to reach me about this tip, as the "
                           "notice above describes (only if you gave a contact)."), required=False)
    notice_version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    TIP = ("subject", "body")
    ABOUT = ("contact_name", "contact_phone")

    def __init__(self, *args, targets=(), fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed is not None:
            self.fields["org"].choices = [(fixed.code, fixed.name)]
            self.fields["org"].initial = fixed.code
            self.fields["org"].widget = forms.HiddenInput()
        else:
            self.fields["org"].choices = [("", "—"), *((o.code, o.name) for o in targets)]
        self.fields["consent"].widget.attrs["class"] = "form-check-input"

    def fields_of(self, names):
        return [self[n] for n in names]

    @property
    def tip_fields(self):
        return ([] if isinstance(self.fields["org"].widget, forms.HiddenInput) else [self["org"]]) + \
            self.fields_of(self.TIP)

    @property
    def about_fields(self):
        return self.fields_of(self.ABOUT)


class TrackForm(StyledForm):
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    check = forms.RegexField(label=gettext_lazy("Check code (6 digits)"), regex=r"^\s*\d{6}\s*$",
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "maxlength": "6"}),
                             error_messages={"invalid": gettext_lazy("Type the 6 digits of the check code.")})


@never_cache
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=True)
def tip_new(request):
    """Send a tip. ``?to=CODE`` sends it to that federation; otherwise the sender picks one."""
    fixed = None
    if to := request.GET.get("to"):
        fixed = intake.public_target_get(to)
        if fixed is None:
            raise Http404
    targets = [] if fixed is not None else intake.public_targets()
    form = TipForm(request.POST or None, targets=targets, fixed=fixed,
                   initial={"notice_version": tips.TIP_NOTICE_VERSION})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = fixed or intake.public_target_get(d["org"])
        try:
            if org is None:
                raise ValidationError({"org": _("Choose the federation.")})
            tip, check = tips.tip_submit(org=org, subject=d["subject"], body=d["body"],
                                         contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                                         consent_version=d["notice_version"] if d["consent"] else "",
                                         ip=client_ip(request))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            request.session[SESSION_DONE] = {"code": tip.code, "check": check, "org": org.name,
                                             "until": int(time.time()) + DONE_SECONDS}
            return redirect("portal:tip_done")
    return render(request, "portal/tip_new.html", {
        "title": _("Conduct mailbox (作风直通车)"), "form": form, "fixed": fixed,
        "notice_version": tips.TIP_NOTICE_VERSION}, status=422 if request.method == "POST" else 200)


@never_cache
def tip_done(request):
    """The codes, shown once (for a few minutes, in this browser only)."""
    done = request.session.pop(SESSION_DONE, None)
    if not isinstance(done, dict) or not done.get("code") or done.get("until", 0) < time.time():
        return redirect("portal:tip_track")
    return render(request, "portal/tip_done.html", {"title": _("Tip received"), **done})


def _remembered(request):
    tracked = request.session.get(SESSION_TRACKED)
    if not isinstance(tracked, dict) or tracked.get("until", 0) < time.time():
        return None
    return tips.Tip.objects.select_related("org").filter(pk=tracked.get("pk")).first()


def _track_page(request, *, form=None, tip=None, not_found=False, status=200):
    return render(request, "portal/tip_track.html", {
        "title": _("Look up the answer to your tip"), "form": form or TrackForm(), "tip": tip,
        "not_found": not_found}, status=status)


@never_cache
@ratelimit(key="ip", rate=_track_rate, method="POST", block=True)
def tip_track(request):
    if request.method != "POST":
        if request.GET.get("forget"):
            request.session.pop(SESSION_TRACKED, None)
            return redirect("portal:tip_track")
        return _track_page(request, tip=_remembered(request))
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=form, status=422)
    code = tips.normalize_code(form.cleaned_data["code"])
    code_key = hashlib.sha256(code.encode()).hexdigest()[:24]
    # Every code counts its wrong checks, existing or not, so the lock itself reveals nothing.
    if ratelimits.used_up(request, group="portal:tip-code", value=code_key, rate=TRACK_CODE_FAILURES):
        raise Ratelimited
    tip = tips.tip_track(code=code, check=form.cleaned_data["check"])
    if tip is None:
        ratelimits.count(request, group="portal:tip-code", value=code_key, rate=TRACK_CODE_FAILURES)
        return _track_page(request, form=form, not_found=True)
    request.session[SESSION_TRACKED] = {"pk": tip.pk, "until": int(time.time()) + TRACKED_SECONDS}
    return _track_page(request, tip=tip)


urlpatterns = [
    path("tips/new/", tip_new, name="tip_new"),
    path("tips/done/", tip_done, name="tip_done"),
    path("tips/track/", tip_track, name="tip_track"),
]
