"""Forms of the hardship archive's pages. Amounts are typed as text and checked by the services (the message
names the field); a refused form keeps what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from .models import Category, Cause, HouseholdState, Relationship

MONEY = {"inputmode": "decimal", "autocomplete": "off"}


def _money(label, required=False):
    return forms.CharField(label=label, required=required, max_length=20, widget=forms.TextInput(attrs=MONEY),
                           error_messages={"required": _("Type the amount (0 if none).")})


class HouseholdFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *HouseholdState.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *Category.choices], required=False)
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", _("All")), *Cause.choices], required=False)
    overdue = forms.BooleanField(label=_("Annual review overdue"), required=False)
    unit = OrgPickerField(label=_("Unit"), required=False)


class HouseholdForm(StyledForm):
    """The file: the worker (create only), income, causes, rigid costs, accident; members in the formset."""

    unit = OrgPickerField(label=_("Unit"), error_messages={"required": _("Choose the worker's unit.")})
    name = forms.CharField(label=_("Worker's name"), max_length=50,
                           error_messages={"required": _("Give the worker's name.")})
    id_number = forms.CharField(label=_("ID number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                              "spellcheck": "false"}),
                                error_messages={"required": _("Give the worker's ID number.")})
    worker_income = _money(_("Worker's monthly income (yuan)"), required=True)
    causes = forms.MultipleChoiceField(label=_("Causes of hardship"), choices=Cause.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Choose at least one cause of hardship.")})
    cause_note = forms.CharField(label=_("About the causes (illness, accident...)"), required=False,
                                 max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    illness_cost = _money(_("Monthly illness costs (yuan)"))
    disability_cost = _money(_("Monthly disability costs (yuan)"))
    schooling_cost = _money(_("Monthly schooling costs (yuan)"))
    accident_loss = _money(_("Loss from an accident or disaster (yuan)"))
    compensation = _money(_("Compensation, insurance and aid received for it (yuan)"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("unit", "name", "id_number"):
                del self.fields[name]


class MemberForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    relationship = forms.ChoiceField(label=_("Relationship"), required=False,
                                     choices=[("", "—"), *[c for c in Relationship.choices if c[0] != "self"]])
    monthly_income = _money(_("Monthly income (yuan)"))
    note = forms.CharField(label=_("Work, health or school"), max_length=500, required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=3, max_num=19, validate_max=True)


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve: start the public notice")), ("return", _("Return to the union")),
        ("reject", _("Refuse the file"))], error_messages={"required": _("Choose a decision.")})
    reason = forms.CharField(label=_("Reason (for returning or refusing)"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(StyledForm):
    text = forms.CharField(label=_("Objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write the objection.")})
    contact = forms.CharField(label=_("Contact phone of whoever raised it (optional)"), max_length=20,
                              required=False, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))


class ResolveForm(StyledForm):
    upheld = forms.TypedChoiceField(label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "1",
                                    choices=[("0", _("Dismissed: the file goes on")),
                                             ("1", _("Upheld: return the file to the union"))],
                                    error_messages={"required": _("Choose a decision.")})
    resolution = forms.CharField(label=_("What was found and decided"), max_length=500,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 error_messages={"required": _("Say what was found and decided.")})


class AnnualReviewForm(StyledForm):
    illness_cost = _money(_("Monthly illness costs (yuan)"))
    disability_cost = _money(_("Monthly disability costs (yuan)"))
    schooling_cost = _money(_("Monthly schooling costs (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member_keys = []
        for m in members:
            key = f"income_{m.pk}"
            self.fields[key] = _money(_("Monthly income: %(who)s") % {"who": m.get_relationship_display()},
                                      required=True)
            self.fields[key].widget.attrs.update(MONEY, **{"class": "form-control"})
            self.member_keys.append((m.pk, key))

    def incomes(self) -> dict[int, str]:
        return {pk: self.cleaned_data.get(key, "") for pk, key in self.member_keys}


class ExitForm(StyledForm):
    reason = forms.CharField(label=_("Reason for exit"), max_length=300,
                             error_messages={"required": _("Give the reason for the exit.")})
    on = forms.DateField(label=_("Exit date"), widget=DateInput(),
                         error_messages={"required": _("Give the exit date."), "invalid": _("Give a valid date.")})


class PairingForm(StyledForm):
    cadre = forms.ChoiceField(label=_("Cadre"), error_messages={"required": _("Choose a cadre."),
                                                                "invalid_choice": _("Choose a cadre.")})
    started_on = forms.DateField(label=_("Paired on"), widget=DateInput(),
                                 error_messages={"required": _("Give the date."), "invalid": _("Give a valid date.")})

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", "—"), *((str(u.pk), u.display_name or u.username) for u in cadres)]


class PairVisitForm(StyledForm):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput(),
                                 error_messages={"required": _("Give the date of the visit."),
                                                 "invalid": _("Give a valid date.")})
    cash = _money(_("Cash given (yuan)"))
    goods = forms.CharField(label=_("Goods given"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CardForm(StyledForm):
    number = forms.CharField(label=_("Card number"), max_length=30,
                             error_messages={"required": _("Give the card number.")})
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput(),
                                error_messages={"required": _("Give the date."), "invalid": _("Give a valid date.")})


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, error_messages={"required": _("Give the reason.")})


class StandardForm(StyledForm):
    unit = OrgPickerField(label=_("Unit (its subtree uses it)"), required=False)
    region_code = forms.CharField(label=_("or administrative region code"), max_length=6, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              error_messages={"required": _("Give the year."),
                                              "invalid": _("Give the year as 4 digits."),
                                              "min_value": _("Give a year between 2000 and 2100."),
                                              "max_value": _("Give a year between 2000 and 2100.")})
    monthly = _money(_("Monthly 低保 per person (yuan)"), required=True)


class SettingsForm(StyledForm):
    deep_ratio = forms.CharField(label=_("深度困难 below (× 低保)"), max_length=6,
                                 error_messages={"required": _("Type the ratio.")})
    relative_ratio = forms.CharField(label=_("相对困难 below (× 低保)"), max_length=6,
                                     error_messages={"required": _("Type the ratio.")})
    notice_days = forms.CharField(label=_("Public notice (working days)"), max_length=3,
                                  error_messages={"required": _("Type the number of working days.")})
