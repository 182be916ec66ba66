"""The forms of the budget pages: budgets and their lines, reviews, approvals and adjustments, decisions, the
large-expense filter, audits and findings, suppliers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from ..audits import FEDERATION_LEVELS
from ..models import BudgetState, FindingState, MeetingKind


def _blank(choices):
    return [("", "—"), *choices]


def _this_year() -> int:
    return timezone.localdate().year


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Year"))
        super().__init__(min_value=2000, max_value=2100, **kwargs)


class BudgetFilterForm(StyledForm):
    union = OrgPickerField(label=_("Unit"), required=False)
    year = YearField(required=False)
    state = forms.ChoiceField(label=_("State"), choices=_blank(BudgetState.choices), required=False)


class BudgetCreateForm(StyledForm):
    union = OrgPickerField(label=_("Union"), active_only=True)
    year = YearField(initial=_this_year)


class BudgetLineForm(StyledForm):
    account = forms.CharField(label=_("Expenditure account (code or name path)"), max_length=240,
                              widget=forms.TextInput(attrs={"list": "expense-accounts"}))
    amount = forms.CharField(label=_("Budget amount (yuan)"), max_length=24)


class LineRemoveForm(StyledForm):
    line = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(StyledForm):
    OUTCOMES = [("pass", _("Reviewed: may go for approval")), ("return", _("Send back to draft"))]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect, initial="pass")
    opinion = forms.CharField(label=_("Review opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionChoiceForm(StyledForm):
    """Choose one of the union's recorded decisions by its reference number."""

    decision = forms.ChoiceField(label=_("Collective decision"))

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = _blank([(d.reference, f"{d.reference} {d.title}") for d in decisions])


class AdjustForm(DecisionChoiceForm):
    account = forms.CharField(label=_("Expenditure account (code or name path)"), max_length=240,
                              widget=forms.TextInput(attrs={"list": "expense-accounts"}))
    change = forms.CharField(label=_("Change (yuan, negative to reduce)"), max_length=24)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    field_order = ["account", "change", "reason", "decision"]


class DecisionForm(StyledForm):
    union = OrgPickerField(label=_("Union"), active_only=True)
    kind = forms.ChoiceField(label=_("Meeting"), choices=_blank(MeetingKind.choices))
    date = forms.DateField(label=_("Meeting date"), widget=DateInput())
    reference = forms.CharField(label=_("Reference number"), max_length=60)
    title = forms.CharField(label=_("Subject"), max_length=200)
    items = forms.CharField(label=_("Items decided, one a line: the item, a space, the amount approved"),
                            widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


class DecisionFilterForm(StyledForm):
    union = OrgPickerField(label=_("Unit"), required=False)
    q = forms.CharField(label=_("Reference or subject"), max_length=60, required=False)


class LargeFilterForm(StyledForm):
    union = OrgPickerField(label=_("Unit"), required=False)
    year = YearField(required=False)
    threshold = forms.DecimalField(label=_("From (yuan)"), min_value=1, max_digits=16, decimal_places=2,
                                   required=False)
    state = forms.ChoiceField(label=_("Decision"), required=False, choices=_blank([
        ("linked", _("Decision recorded")), ("unverified", _("Unverified")), ("none", _("No decision"))]))


class FinalPickForm(StyledForm):
    union = OrgPickerField(label=_("Union"), active_only=True)
    year = YearField(initial=_this_year)


class AuditForm(StyledForm):
    union = OrgPickerField(label=_("Audited union"), active_only=True)
    year = YearField(label=_("Year audited"))
    auditor = forms.CharField(label=_("Auditing organization"), max_length=100)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())
    vouchers_checked = forms.IntegerField(label=_("Vouchers checked"), min_value=0, max_value=10_000_000)
    conclusion = forms.CharField(label=_("Audit conclusion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AuditFilterForm(StyledForm):
    union = OrgPickerField(label=_("Unit"), required=False)
    year = YearField(required=False)


class FindingForm(StyledForm):
    text = forms.CharField(label=_("Finding"), max_length=500)
    due_on = forms.DateField(label=_("Rectify by"), widget=DateInput())


class FindingProgressForm(StyledForm):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("New state"), choices=[(FindingState.RECTIFYING, FindingState.RECTIFYING.label),
                                                             (FindingState.RECTIFIED, FindingState.RECTIFIED.label)])
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)
    on = forms.DateField(label=_("Rectified on"), widget=DateInput(), required=False)


class SupplierForm(StyledForm):
    federation = OrgPickerField(label=_("Federation keeping the list"), active_only=True, levels=FEDERATION_LEVELS)
    name = forms.CharField(label=_("Supplier"), max_length=100)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)


class SupplierImportForm(StyledForm):
    federation = OrgPickerField(label=_("Federation keeping the list"), active_only=True, levels=FEDERATION_LEVELS)
    file = forms.FileField(label=_("Spreadsheet (columns 供应商名称, 统一社会信用代码)"))
