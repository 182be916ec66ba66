"""Portal pages for members: ask for a transfer, activate a service card. No login; the member proves who
they are with what only they hold (ID number with phone, or card number with ID number and phone).
Personal data travels in POST bodies only and the pages are never cached. Both forms are rate-limited per
client address (django-ratelimit), so nobody can try ID numbers and phones in bulk, and per ID number (its keyed
index), so one person's phone digits cannot be guessed from many addresses: every number counts its wrong answers,
a member's or not, so the lock itself reveals nothing."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.forms import StyledForm, apply_validation_error
from gonghui.members import cards, transfers
from gonghui.privacy.forms import CardConsent, TransferConsent
from gonghui.privacy.services import form_consent

# (attempts, seconds) per client address. Read when a request comes.
TRANSFER_LIMIT = (20, 3600)
CARD_LIMIT = (20, 3600)
# (wrong answers, seconds) per ID number, from any address.
TRANSFER_ID_FAILURES = (5, 3600)
CARD_ID_FAILURES = (5, 3600)
_OFF = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class TransferRequestForm(TransferConsent, StyledForm):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, widget=forms.TextInput(attrs=_OFF))
    phone_last4 = forms.CharField(label=gettext_lazy("Last four digits of your mobile number"), max_length=4,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                                "pattern": "[0-9]{4}"}))
    to_code = forms.CharField(label=gettext_lazy("Code of the union you move to"), max_length=32,
                              help_text=gettext_lazy("Ask the union you are joining for its code."),
                              widget=forms.TextInput(attrs=_OFF))
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=200, required=False)


class CardActivateForm(CardConsent, StyledForm):
    number = forms.CharField(label=gettext_lazy("Card number"), max_length=24,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, widget=forms.TextInput(attrs=_OFF))
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))


def _transfer_rate(group, request):
    return TRANSFER_LIMIT


def _card_rate(group, request):
    return CARD_LIMIT


@never_cache
@csrf_protect
@ratelimit(key="ip", rate=_transfer_rate, method="POST", block=True)
def transfer_request(request):
    form = TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ratelimits.number_key(form.cleaned_data["id_number"])
        if ratelimits.used_up(request, group="portal:transfer-id", value=key, rate=TRANSFER_ID_FAILURES):
            raise Ratelimited
        try:
            t = transfers.transfer_request_by_member(**form.service_data())
        except ValidationError as exc:
            if isinstance(exc, transfers.MemberMismatch):
                ratelimits.number_count(request, group="portal:transfer-id", key=key, rate=TRANSFER_ID_FAILURES)
            apply_validation_error(form, exc)
        else:
            form_consent(form, request, person=t.person, object_type="transfer", object_id=t.code)
            return render(request, "portal/member_done.html", {
                "title": _("Transfer requested"), "code": t.code, "kind": "transfer", "to_name": t.to_union.name})
    return render(request, "portal/member_transfer.html", {
        "title": _("Move my membership to another union"), "form": form})


@never_cache
@csrf_protect
@ratelimit(key="ip", rate=_card_rate, method="POST", block=True)
def card_activate(request):
    form = CardActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ratelimits.number_key(form.cleaned_data["id_number"])
        if ratelimits.used_up(request, group="portal:card-id", value=key, rate=CARD_ID_FAILURES):
            raise Ratelimited
        try:
            card = cards.card_activate_by_member(**form.service_data())
        except ValidationError as exc:
            if isinstance(exc, cards.CardMismatch):
                ratelimits.number_count(request, group="portal:card-id", key=key, rate=CARD_ID_FAILURES)
            apply_validation_error(form, exc)
        else:
            form_consent(form, request, person=card.membership.person, object_type="card", object_id=card.number)
            return render(request, "portal/member_done.html", {
                "title": _("Card activated"), "code": card.number, "kind": "card"})
    return render(request, "portal/member_card.html", {"title": _("Activate my service card"), "form": form})


urlpatterns = [
    path("member/transfer/", transfer_request, name="transfer_request"),
    path("member/card/", card_activate, name="card_activate"),
]
