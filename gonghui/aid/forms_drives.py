"""Forms of the donation drive and the recuperation / check-up pages (errors in Chinese next to the field)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Person

from .models import DriveState, NominationGroup, NominationState, SchemeKind

_DATE = forms.DateInput(attrs={"type": "date"})
_NUM = {"inputmode": "numeric"}
_MONEY = {"inputmode": "decimal"}


def _orgs(field, orgs):
    field.choices = [(o.pk, o.name) for o in orgs]


class DriveForm(forms.Form):
    name = forms.CharField(label=_("Drive name"), max_length=100, initial="一日捐")
    org = forms.ChoiceField(label=_("Organising union"))
    day = forms.DateField(label=_("Donation day"), widget=_DATE)
    period_key = forms.CharField(label=_("Period"), max_length=10, required=False, help_text=_("e.g. 2026"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)


class UnitForm(forms.Form):
    org = forms.ChoiceField(label=_("Unit"))
    donors = forms.IntegerField(label=_("Donors (not named one by one)"), min_value=0, max_value=1000000,
                                widget=forms.NumberInput(attrs=_NUM))
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2,
                                widget=forms.NumberInput(attrs={**_MONEY, "step": "0.01"}))
    receipt_no = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)


class DonationForm(forms.Form):
    org = forms.ChoiceField(label=_("Unit"))
    id_number = forms.CharField(label=_("Member's ID number"), max_length=18, required=False,
                                help_text=_("For a member of the registry; else give the donor's name."))
    donor_name = forms.CharField(label=_("Donor's name (not a member)"), max_length=40, required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=12, decimal_places=2,
                                widget=forms.NumberInput(attrs={**_MONEY, "step": "0.01"}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)

    def person(self):
        return person_by_id_number(self.cleaned_data.get("id_number"))


def person_by_id_number(number):
    from gonghui.core import crypto

    number = (number or "").strip().upper()
    if not number:
        return None
    return Person.objects.filter(id_number_bidx=crypto.blind_index(number, kind="id_number")).first()


class DriveFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *DriveState.choices])
    period = forms.CharField(label=_("Period"), required=False, max_length=10)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))


class PublishForm(forms.Form):
    days = forms.IntegerField(label=_("Days on the board"), min_value=1, max_value=366, initial=15)


class SchemeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SchemeKind.choices)
    name = forms.CharField(label=_("Scheme name"), max_length=100)
    org = forms.ChoiceField(label=_("Organising union"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    subsidy = forms.DecimalField(label=_("Subsidy per person (yuan)"), min_value=0, max_digits=10, decimal_places=2,
                                 initial=100)
    places = forms.IntegerField(label=_("Places (quota)"), min_value=0, max_value=1000000)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)


class QuotaForm(forms.Form):
    org = forms.ChoiceField(label=_("Union"))
    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=1000000,
                                widget=forms.NumberInput(attrs=_NUM))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)


class NominationForm(forms.Form):
    org = forms.ChoiceField(label=_("Nominating union"))
    id_number = forms.CharField(label=_("Member's ID number"), max_length=18)
    group = forms.ChoiceField(label=_("Group"), choices=NominationGroup.choices)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        _orgs(self.fields["org"], orgs)

    def person(self):
        return person_by_id_number(self.cleaned_data.get("id_number"))


class NominationFilterForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False, choices=[("", _("All")), *NominationGroup.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *NominationState.choices])

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [("", _("All")), *[(s.pk, str(s)) for s in schemes]]


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusal"), max_length=200)


class TripForm(forms.Form):
    place = forms.CharField(label=_("Place or hospital"), max_length=100)
    start_on = forms.DateField(label=_("From"), widget=_DATE)
    end_on = forms.DateField(label=_("To"), widget=_DATE, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000000)
