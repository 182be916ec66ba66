from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.identity import DocumentType
from gonghui.core.widgets import OrgPickerField

from .models import Education, EmploymentForm, MembershipStatus, PoliticalStatus, Sex

CATEGORY_CHOICES = [("", _("All")), ("migrant", _("Migrant workers")), ("new_employment", _("New forms of employment")),
                    ("dispatched", _("Agency workers")), ("female", _("Women workers"))]


class MemberFilterForm(StyledForm):
    q = forms.CharField(label=_("Name"), required=False)  # full numbers: the POST-only find box
    status = forms.ChoiceField(label=_("Status"), required=False, initial="active",
                               choices=[("", _("All")), *MembershipStatus.choices])
    category = forms.ChoiceField(label=_("Category"), required=False, choices=CATEGORY_CHOICES)
    joined_from = forms.DateField(label=_("Joined from"), required=False, widget=DateInput())
    joined_to = forms.DateField(label=_("Joined to"), required=False, widget=DateInput())
    union = OrgPickerField(label=_("Union"), required=False)


class MemberForm(StyledForm):
    """A person and their membership, as a union officer enters them."""

    union = OrgPickerField(label=_("Union"), levels=("grassroots", "branch"), active_only=True)
    name = forms.CharField(label=_("Full name"), max_length=50)
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices,
                                 initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(label=_("Document number"), max_length=30)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False,
                            help_text=_("Read from a resident ID; needed for other documents."))
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    political_status = forms.ChoiceField(label=_("Political status"), choices=[("", "—"), *PoliticalStatus.choices],
                                         required=False)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    job_title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    employment_form = forms.ChoiceField(label=_("Employment form"), choices=[("", "—"), *EmploymentForm.choices],
                                        required=False)
    is_migrant_worker = forms.BooleanField(label=_("Migrant worker"), required=False)
    is_new_employment = forms.BooleanField(label=_("New forms of employment (courier, rider, driver)"),
                                           required=False)
    is_dispatched = forms.BooleanField(label=_("Agency worker"), required=False)

    PERSON = ("doc_type", "id_number", "name", "sex", "birth_date", "ethnicity", "phone", "education",
              "political_status")
    MEMBERSHIP = ("joined_on", "job_title", "employment_form", "is_migrant_worker", "is_new_employment",
                  "is_dispatched")

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["union"]
            # Editing never shows the stored number: typing a new one replaces it, leaving it empty keeps it.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep the number on record.")
            self.fields["phone"].help_text = _("Leave empty to keep the number on record.")

    def person(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.PERSON if self.cleaned_data.get(k) not in ("", None)}

    def membership(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.MEMBERSHIP}


class LeaveForm(StyledForm):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RevealForm(StyledForm):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)
