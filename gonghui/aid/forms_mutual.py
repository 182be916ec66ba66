"""Forms of the medical mutual aid pages (errors in Chinese next to the field; the services' errors land there too).
The claim form is one column of plain inputs: a grassroots officer fills it on a phone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm

from .models import ClaimState

SPECIAL_EXAMPLE = '[{"illness": "恶性肿瘤", "ratio": "0.7", "cap": "20000"}]'


class PlanForm(StyledForm):
    name = forms.CharField(label=_("Plan name"), max_length=100)
    org = forms.ChoiceField(label=_("Running union"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    contribution = forms.DecimalField(label=_("Contribution per person (yuan)"), max_digits=10, decimal_places=2,
                                      min_value=0)
    deductible = forms.DecimalField(label=_("Deductible per stay (yuan)"), max_digits=10, decimal_places=2,
                                    min_value=0)
    ratio = forms.DecimalField(label=_("Reimbursement ratio"), max_digits=4, decimal_places=3, min_value=0,
                               max_value=1, help_text=_("Between 0 and 1, e.g. 0.5"))
    annual_cap = forms.DecimalField(label=_("Annual cap per person (yuan)"), max_digits=12, decimal_places=2,
                                    min_value=0)
    special_rules = forms.CharField(
        label=_("Special illnesses (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}))
    fund = forms.DecimalField(label=_("Fund (yuan)"), max_digits=14, decimal_places=2, min_value=0,
                              help_text=_("The most the plan may pay in the year."))
    budget_account = forms.CharField(label=_("Budget account"), max_length=240, initial="维权支出-困难职工帮扶",
                                     help_text=_("An expenditure account of the paying union, e.g. 维权支出-送温暖"))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        # The example is JSON, passed in: the translation holds none of its keys.
        from django.utils.translation import gettext

        self.fields["special_rules"].help_text = gettext(
            "A list, one entry per illness with its own ratio and annual cap, for example: %(example)s") % {
            "example": SPECIAL_EXAMPLE}


class EnrolForm(StyledForm):
    unit = forms.ChoiceField(label=_("Unit"))
    id_number = forms.CharField(label=_("Worker's ID number"), max_length=18)
    contribution = forms.DecimalField(label=_("Contribution paid (yuan)"), max_digits=10, decimal_places=2,
                                      min_value=0, required=False, help_text=_("Empty: the plan's contribution."))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(o.pk, o.name) for o in units]


class UnitFilterForm(StyledForm):
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *[(o.pk, o.name) for o in units]]


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))


class ClaimForm(StyledForm):
    plan = forms.ChoiceField(label=_("Plan"))
    id_number = forms.CharField(label=_("Worker's ID number"), max_length=18)
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DateInput())
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DateInput())
    illness = forms.CharField(label=_("Illness"), max_length=100)
    special_illness = forms.ChoiceField(label=_("Special illness"), required=False)
    total_bill = forms.DecimalField(label=_("Total bill (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    insurance_paid = forms.DecimalField(label=_("Paid by medical insurance (yuan)"), max_digits=12,
                                        decimal_places=2, min_value=0)
    self_paid = forms.DecimalField(label=_("Paid by the worker (yuan)"), max_digits=12, decimal_places=2,
                                   min_value=0)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, str(p)) for p in plans]
        names = sorted({r["illness"] for p in plans for r in p.special_rules})
        self.fields["special_illness"].choices = [("", _("None")), *[(n, n) for n in names]]
        for name in ("total_bill", "insurance_paid", "self_paid"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        self.fields["bank_account"].widget.attrs["inputmode"] = "numeric"


class ClaimFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *ClaimState.choices])
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    month = forms.CharField(label=_("Month of discharge"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *[(o.pk, o.name) for o in units]]

    def clean_month(self):
        import re

        month = (self.cleaned_data.get("month") or "").strip()
        if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise forms.ValidationError(_("Enter a month as 2026-03."))
        return month


class PublishForm(StyledForm):
    days = forms.IntegerField(label=_("Shown for (days)"), min_value=1, max_value=366, initial=7)
