"""Forms of the books pages: the book picker, the voucher filters, voucher entry (a fixed number of line rows, more
on request), the reversal, a sub-account, opening balances, the report period, the chart upload."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.identity import to_halfwidth
from gonghui.core.widgets import OrgPickerField

from ..models import VoucherSource

MONEY = {"max_digits": 16, "decimal_places": 2, "required": False}
BLANK_ROWS = 4  # line rows a new voucher starts with; "more lines" adds as many again
MAX_ROWS = 60


class MoneyField(forms.DecimalField):
    """An amount as accountants type it: thousands separators and full-width digits are accepted."""

    def to_python(self, value):
        if isinstance(value, str):
            value = to_halfwidth(value).replace(",", "").replace(" ", "")
        return super().to_python(value)


class BookPickForm(StyledForm):
    org = OrgPickerField(label=gettext_lazy("Union"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100)


class VoucherFilterForm(StyledForm):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    account = forms.CharField(label=gettext_lazy("Account"), required=False, max_length=240,
                              widget=forms.TextInput(attrs={"list": "book-accounts"}))
    words = forms.CharField(label=gettext_lazy("Summary contains"), required=False, max_length=100)
    counterparty = forms.CharField(label=gettext_lazy("Counterparty"), required=False, max_length=100)
    amount_min = MoneyField(label=gettext_lazy("Amount from"), **MONEY)
    amount_max = MoneyField(label=gettext_lazy("Amount to"), **MONEY)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False,
                               choices=[("", gettext_lazy("All")), *VoucherSource.choices])

    def __init__(self, *args, resolve=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolve = resolve  # ref -> Account | None

    def clean_account(self):
        ref = self.cleaned_data["account"].strip()
        if not ref:
            return None
        found = self.resolve(ref) if self.resolve else None
        if found is None:
            raise forms.ValidationError(_("No account “%(ref)s” in this union's books.") % {"ref": ref})
        return found

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class LineForm(StyledForm):
    account = forms.CharField(label=gettext_lazy("Account"), required=False, max_length=240,
                              widget=forms.TextInput(attrs={"list": "book-accounts", "class": "gh-line-account"}))
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, max_length=200)
    debit = MoneyField(label=gettext_lazy("Debit"), widget=forms.TextInput(
        attrs={"inputmode": "decimal", "class": "gh-line-debit text-end"}), **MONEY)
    credit = MoneyField(label=gettext_lazy("Credit"), widget=forms.TextInput(
        attrs={"inputmode": "decimal", "class": "gh-line-credit text-end"}), **MONEY)
    counterparty = forms.CharField(label=gettext_lazy("Counterparty"), required=False, max_length=100)
    invoice_code = forms.CharField(label=gettext_lazy("Invoice code"), required=False, max_length=12)
    invoice_number = forms.CharField(label=gettext_lazy("Invoice number"), required=False, max_length=20)
    decision_ref = forms.CharField(label=gettext_lazy("Decision reference"), required=False, max_length=60)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("account", "summary", "debit", "credit", "counterparty",
                                             "invoice_code", "invoice_number", "decision_ref"))


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS,
                                    validate_max=True)


class VoucherHeadForm(StyledForm):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date.year != self.year:
            raise forms.ValidationError(_("The date %(date)s is outside the year %(year)s.") % {
                "date": date.isoformat(), "year": self.year})
        return date


def default_date(year: int) -> datetime.date:
    today = timezone.localdate()
    return today if today.year == year else datetime.date(year, 12, 31) if year < today.year else \
        datetime.date(year, 1, 1)


class ReverseForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the reversal"), max_length=200,
                             widget=forms.TextInput())


class AccountAddForm(StyledForm):
    parent = forms.ChoiceField(label=gettext_lazy("Under the account"))
    name = forms.CharField(label=gettext_lazy("Name of the sub-account"), max_length=60)
    code = forms.CharField(label=gettext_lazy("Code (optional)"), max_length=24, required=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *((str(a.pk), str(a)) for a in accounts)]
        self.by_pk = {str(a.pk): a for a in accounts}

    def clean_parent(self):
        return self.by_pk[self.cleaned_data["parent"]]


class PeriodForm(StyledForm):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            if data.get(name) and data[name].year != self.year:
                self.add_error(name, _("The date %(date)s is outside the year %(year)s.") % {
                    "date": data[name].isoformat(), "year": self.year})
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class ChartUploadForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name of the chart"), max_length=100,
                           help_text=gettext_lazy("The document that issued it, such as 财会〔2021〕7号."))
    effective_year = forms.IntegerField(label=gettext_lazy("In force from year"), min_value=1990, max_value=2100,
                                        required=False,
                                        help_text=gettext_lazy("Leave empty to take the file's 启用年度 column."))
    file = forms.FileField(label=gettext_lazy("Chart (xlsx, xls, ods or csv)"),
                           help_text=gettext_lazy("Columns 科目编码, 科目名称 (a name or the full path such as "
                                                  "职工活动支出-职工教育), 类别 (资产, 负债, 净资产, 收入 or 支出), "
                                                  "optionally 启用年度."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB: a chart of accounts is far smaller."))
        return upload
