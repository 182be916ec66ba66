"""Forms of the public pages. Inputs carry the hints a phone keyboard needs (inputmode, autocomplete)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.identity import DocumentType
from gonghui.members.models import Education, EmploymentForm, PoliticalStatus, Sex


class UnionSearchForm(StyledForm):
    q = forms.CharField(label=_("Name of your union or workplace"), min_length=2, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "enterkeyhint": "search"}),
                        error_messages={"min_length": _("Type at least 2 characters of the name.")})


class JoinForm(StyledForm):
    """The worker's application. The consent to sensitive personal data is its own box (PIPL art. 29)."""

    name = forms.CharField(label=_("Full name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices,
                                 initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(label=_("Document number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                              "spellcheck": "false"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False,
                            help_text=_("Read from a resident ID card; needed for other documents."))
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput(),
                                 help_text=_("Read from a resident ID card; needed for other documents."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
                            help_text=_("The union tells you its decision on this number."))
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    political_status = forms.ChoiceField(label=_("Political status"), choices=[("", "—"), *PoliticalStatus.choices],
                                         required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    employment_form = forms.ChoiceField(label=_("Employment form"), choices=[("", "—"), *EmploymentForm.choices],
                                        required=False)
    is_migrant_worker = forms.BooleanField(label=_("I am a migrant worker"), required=False)
    is_new_employment = forms.BooleanField(label=_("I work in new forms of employment (courier, rider, driver)"),
                                           required=False)
    is_dispatched = forms.BooleanField(label=_("I am an agency (dispatched) worker"), required=False)
    agree_join = forms.BooleanField(
        label=_("I accept the Constitution of the Chinese Trade Unions and apply to join this union of my own will."),
        error_messages={"required": _("Confirm that you accept the union constitution and want to join.")})
    consent_sensitive = forms.BooleanField(
        label=_("I consent separately to the union processing my ID number, which is sensitive personal "
                "information, as described in the notice above."),
        error_messages={"required": _("Without your consent to the processing of your ID number the union "
                                      "cannot handle your application.")})
    notice_version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    PERSON = ("name", "doc_type", "id_number", "sex", "birth_date", "phone")
    DETAILS = ("ethnicity", "education", "political_status")
    WORK = ("job_title", "employment_form", "is_migrant_worker", "is_new_employment", "is_dispatched")
    CONSENT = ("agree_join", "consent_sensitive")

    def _group(self, names):
        return [self[n] for n in names]

    def person_fields(self):
        return self._group(self.PERSON)

    def detail_fields(self):
        return self._group(self.DETAILS)

    def work_fields(self):
        return self._group(self.WORK)

    def consent_fields(self):
        return self._group(self.CONSENT)

    def application_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in (*self.PERSON, *self.DETAILS, *self.WORK)}


class StatusForm(StyledForm):
    code = forms.CharField(label=_("Application code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    last4 = forms.RegexField(label=_("Last 4 digits of your mobile number"), regex=r"^\s*\d{4}\s*$",
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "maxlength": "4"}),
                             error_messages={"invalid": _("Type the last 4 digits of the mobile number.")})


class RespondForm(StyledForm):
    """What a worker sends back about a publication (an objection to a 公示), anonymous unless a contact is given."""

    text = forms.CharField(label=_("Your objection: what is not right, and how you know"), max_length=2000,
                           min_length=5, widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Write your objection."),
                                           "min_length": _("Write at least 5 characters.")})
    contact = forms.CharField(label=_("Your phone (optional, so the union can answer you)"), max_length=20,
                              required=False, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                                            "autocomplete": "tel"}))
