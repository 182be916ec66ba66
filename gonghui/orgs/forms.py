from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from .models import Kind, Level, Ownership, Status


class OrgForm(StyledForm):
    """The fields a union's record holds. Level is chosen only when creating."""

    code = forms.CharField(label=_("Code"), max_length=32, required=False,
                           help_text=_("Leave empty to have one assigned. Used in links and imports; never changes."))
    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=[("", "—"), *Ownership.choices], required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    region_code = forms.CharField(label=_("Administrative region code"), max_length=10, required=False)
    employee_count = forms.IntegerField(label=_("Employees"), min_value=0, initial=0)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())
    term_ends_on = forms.DateField(label=_("Term ends on"), required=False, widget=DateInput())
    legal_person_registered = forms.BooleanField(label=_("Registered as a legal person"), required=False)
    legal_person_registered_on = forms.DateField(label=_("Registration date"), required=False, widget=DateInput())
    legal_person_cert_no = forms.CharField(label=_("Certificate number"), max_length=40, required=False)
    has_women_committee = forms.BooleanField(label=_("Has a women workers' committee"), required=False)
    has_audit_committee = forms.BooleanField(label=_("Has a funds review committee"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    def __init__(self, *args, creating: bool, level_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            if level_choices is not None:
                self.fields["level"].choices = level_choices
        else:
            del self.fields["code"]
            del self.fields["level"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("code", None)
        data.pop("level", None)
        data["ownership"] = data.get("ownership") or ""
        return data


class OrgFilterForm(StyledForm):
    q = forms.CharField(label=_("Name, code or credit code"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All")), *Level.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Kind.choices])
    ownership = forms.ChoiceField(label=_("Ownership"), required=False, choices=[("", _("All")), *Ownership.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Status.choices],
                               initial="active")
    registered = forms.TypedChoiceField(label=_("Legal person"), required=False, empty_value=None,
                                        coerce=lambda v: v == "1",
                                        choices=[("", _("All")), ("1", _("Registered")), ("0", _("Not registered"))])


class MoveForm(StyledForm):
    new_parent = OrgPickerField(label=_("New parent"), active_only=True)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the levels a union of this kind may sit under; the service refuses its own subtree.
        self.fields["new_parent"].options["levels"] = tuple(levels)


class DissolveForm(StyledForm):
    dissolved_on = forms.DateField(label=_("Dissolved on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class RevealForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))
