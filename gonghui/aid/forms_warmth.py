"""Forms of the grants in bulk: the spreadsheet of a grant import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm


class GrantImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))
