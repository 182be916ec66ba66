"""Forms of the grants in bulk: the spreadsheet of a grant import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm


class GrantImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))


class PublishForm(StyledForm):
    days = forms.IntegerField(label=_("Shown for (days)"), min_value=1, max_value=366, initial=7)
    include_approved = forms.BooleanField(label=_("Also the approved grants not paid yet"), required=False)


class WithdrawForm(StyledForm):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=300)


class AccountForm(StyledForm):
    bank_account = forms.CharField(label=_("Bank account"), max_length=40)
