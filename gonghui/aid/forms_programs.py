"""Forms of the programs pages (errors in Chinese next to the field; the services' errors land there too)."""

import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Person

from . import rules as rules_mod
from .models import GrantState, ProgramKind, VisitTarget
from .rules import DIRECT_RELATIVES, LEVELS, SCHOOL_TYPES

_DATE = forms.DateInput(attrs={"type": "date"})


class ProgramForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices)
    name = forms.CharField(label=_("Program name"), max_length=100)
    org = forms.ChoiceField(label=_("Paying union"))
    period_key = forms.CharField(label=_("Period"), max_length=10, required=False, help_text=_("e.g. 2026"))
    start_on = forms.DateField(label=_("From"), widget=_DATE)
    end_on = forms.DateField(label=_("To"), widget=_DATE)
    budget = forms.DecimalField(label=_("Budget (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    budget_account = forms.CharField(label=_("Budget account"), max_length=240, initial="维权支出-送温暖",
                                     help_text=_("An expenditure account of the paying union, e.g. 维权支出-送温暖"))
    one_per_person = forms.BooleanField(label=_("One grant per person per period"), required=False, initial=True)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]


RULES_EXAMPLE = '{"categories": ["深度困难"], "amount": {"by_category": {"深度困难": "1000"}}}'


class RulesForm(forms.Form):
    rules = forms.CharField(label=_("Rules (JSON)"), widget=forms.Textarea(attrs={"rows": 10, "class":
                                                                                   "font-monospace"}),
                            )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The keys are the rules' own words (JSON), passed in: the translation holds none of them.
        self.fields["rules"].help_text = gettext(
            "Keys: %(keys)s; and one amount rule: %(amounts)s. The categories are 深度困难、相对困难、意外致困. "
            "For example: %(example)s") % {"keys": "、".join(sorted(rules_mod.KEYS - {"amount"})),
                                           "amounts": "、".join(rules_mod.AMOUNTS), "example": RULES_EXAMPLE}

    def clean_rules(self):
        try:
            return json.loads(self.cleaned_data["rules"])
        except ValueError:
            raise forms.ValidationError(_("The rules are not valid JSON.")) from None


class ApplyForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"))
    org = forms.ChoiceField(label=_("Member's union"))
    id_number = forms.CharField(label=_("Member's ID number"), max_length=18)
    relationship = forms.ChoiceField(label=_("Relationship (白事慰问)"), required=False,
                                     choices=[("", "—"), *[(r, r) for r in DIRECT_RELATIVES], ("其他", "其他")])
    admission_year = forms.IntegerField(label=_("Child's admission year (金秋助学)"), required=False)
    school_level = forms.ChoiceField(label=_("School level"), required=False,
                                     choices=[("", "—"), *[(x, x) for x in (*LEVELS, "初中")]])
    school_type = forms.ChoiceField(label=_("School type"), required=False,
                                    choices=[("", "—"), *[(x, x) for x in SCHOOL_TYPES]])
    hospital_days = forms.IntegerField(label=_("Days in hospital"), required=False, min_value=0, max_value=366)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, programs=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.pk, str(p)) for p in programs]
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]

    def person(self):
        from gonghui.core import crypto

        number = (self.cleaned_data.get("id_number") or "").strip().upper()
        return Person.objects.filter(id_number_bidx=crypto.blind_index(number, kind="id_number")).first()


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusal"), max_length=200)


class PayForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
    paid_on = forms.DateField(label=_("Paid on"), widget=_DATE)


class GrantFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *GrantState.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *ProgramKind.choices])


class VisitForm(forms.Form):
    target = forms.ChoiceField(label=_("Visited"), choices=VisitTarget.choices)
    program = forms.ChoiceField(label=_("Program"), required=False)
    visited_on = forms.DateField(label=_("Visited on"), widget=_DATE)
    place = forms.CharField(label=_("Household, enterprise or post"), max_length=100)
    people = forms.IntegerField(label=_("People visited (人次)"), min_value=0, max_value=100000, initial=1)
    households = forms.IntegerField(label=_("Households (户)"), min_value=0, max_value=100000, initial=0)
    enterprises = forms.IntegerField(label=_("Enterprises (家)"), min_value=0, max_value=100000, initial=0)
    cash = forms.DecimalField(label=_("Cash given (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    goods = forms.CharField(label=_("Goods given"), max_length=200, required=False)
    goods_value = forms.DecimalField(label=_("Value of the goods (yuan)"), min_value=0, max_digits=12,
                                     decimal_places=2, initial=0)

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "—"), *[(p.pk, str(p)) for p in programs]]
