from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, StyledForm, StyledFormMixin
from .models import Outcome, Role, SecurityPolicy
from .widgets import OrgPickerField


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput,
                                   help_text=_("At least 8 characters mixing 3 of: lower-case letters, capital "
                                               "letters, digits, symbols; not a common password, not your "
                                               "username, not your current password."))
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class TokenForm(StyledForm):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("What will use it, e.g. the city's reporting system."))


class AuditFilterForm(StyledForm):
    group = forms.ChoiceField(label=_("Action group"), required=False)
    unit = OrgPickerField(label=_("Unit"), required=False)
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    q = forms.CharField(label=_("Object"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices])
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    # An exact action code, from links elsewhere (not shown as a field: the screen filters by group).
    action = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from .audit_labels import groups

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All")), *groups()]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


class UserFilterForm(StyledForm):
    q = forms.CharField(label=_("Username or name"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All")), *Role.choices])


class UserCreateForm(StyledForm):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": _("Letters, digits and @ . + - _ only.")})
    display_name = forms.CharField(label=_("Full name"), max_length=50)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org = OrgPickerField(label=_("Unit"), active_only=True,
                         help_text=_("The union the role applies to (its whole subtree)."))
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput,
                               help_text=_("The user must change it at first login."))


class GrantForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org = OrgPickerField(label=_("Unit"), active_only=True)


class ResetPasswordForm(StyledForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class SecurityPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["password_max_age_days", "session_idle_minutes", "lockout_failures", "lockout_cooloff_minutes",
                  "require_second_factor"]


class SecondFactorForm(StyledForm):
    code = forms.CharField(label=_("Verification code"), max_length=20,
                           help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                         "inputmode": "text"}))


class EnrolForm(StyledForm):
    code = forms.CharField(label=_("Code from the app"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class SecondFactorResetForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("For a lost phone: the user sets up two-step verification again at the "
                                           "next sign-in."))
