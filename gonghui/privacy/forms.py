"""Forms of the privacy pages, and the consent fields every public form that takes personal data carries."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm

_OFF = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
CONSENT_FIELDS = ("consent", "notice_version")


class ConsentFields(forms.Form):
    """A consent box and the version of the notice it was given to. ``service_data()`` leaves both out."""

    notice = ""  # the notice text, shown as the box's help text
    notice_version_current = ""

    consent = forms.BooleanField(
        label=_("I have read the notice below and consent to this use of my personal information."),
        error_messages={"required": _("Without your consent the union cannot process this online.")})
    notice_version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("notice_version", self.notice_version_current)
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = self.notice
        # The consent box comes last, after the fields it is about.
        self.order_fields([n for n in self.fields if n not in CONSENT_FIELDS] + list(CONSENT_FIELDS))

    def clean_notice_version(self):
        value = self.cleaned_data["notice_version"]
        if value != self.notice_version_current:
            raise forms.ValidationError(_("The notice has changed; please read it again and confirm."))
        return value

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in CONSENT_FIELDS}


class SignInForm(ConsentFields, StyledForm):
    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=forms.TextInput(attrs=_OFF))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    code = forms.CharField(label=_("A code you hold"), max_length=24, widget=forms.TextInput(attrs=_OFF),
                           help_text=_("The number of your service card (it shows everything held about you), or "
                                       "the code of one join application or of one request for help (it shows that "
                                       "record; a request is shown only if you gave your ID number with it)."))

    notice = _("Your ID number, mobile number and code are used only to find what the union holds about you and to "
               "show it to you; they are compared with the stored records and not kept. Each look is recorded "
               "without them.")

    def __init__(self, *args, **kwargs):
        from .services import PRIVACY_NOTICE_VERSION

        self.notice_version_current = PRIVACY_NOTICE_VERSION
        super().__init__(*args, **kwargs)


class DecideForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("anonymise", _("Anonymise what no law requires us to keep")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason (the worker is shown it)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class RequestFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), required=False, initial="pending")

    def __init__(self, *args, **kwargs):
        from .models import DeletionStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *DeletionStatus.choices]


class TransferConsent(ConsentFields):
    """For the member's own transfer request on the portal."""

    purpose = "transfer"
    notice_version_current = "2026-11"
    notice = _("Notice (version 2026-11): your ID number and the last digits of your mobile number are used only to "
               "find your membership and to send the transfer request to both unions, which see it as a union officer "
               "sees your member record. The request is kept with your membership record (while you are a member and "
               "5 years after you leave). You may see, copy or ask to delete your information at /privacy/.")


class CardConsent(ConsentFields):
    """For activating a service card on the portal."""

    purpose = "card"
    notice_version_current = "2026-11"
    notice = _("Notice (version 2026-11): your card number, ID number and mobile number are used only to check that "
               "the card is yours before activating it; they are compared with your member record and not stored "
               "again. You may see, copy or ask to delete your information at /privacy/.")
