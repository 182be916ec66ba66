"""Forms of the problem pages: filters, a problem, the review actions, the joint group, the lists' settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from .models import Category, ConcernKind, Decision, ProblemState, Source, Stage

ALL = _("All")
GROUP_SEATS = 5


def _blank(choices):
    return [("", ALL), *choices]


class ProblemFilterForm(StyledForm):
    org = OrgPickerField(label=_("Unit"), required=False)
    stage = forms.ChoiceField(label=_("Review stage"), choices=_blank(Stage.choices), required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.all(), required=False,
                                    empty_label=ALL)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=ALL)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    state = forms.ChoiceField(label=_("State"), choices=_blank(ProblemState.choices), required=False)
    q = forms.CharField(label=_("Problem or number"), max_length=50, required=False)


class ProblemForm(StyledForm):
    org = OrgPickerField(label=_("Unit"), required=False, help_text=_("Default: your own unit."))
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.filter(active=True))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True))
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=5000)
    concerns = forms.ChoiceField(label=_("Concerns"), choices=ConcernKind.choices, initial=ConcernKind.UNIT)
    cadre_name = forms.CharField(label=_("Name of the cadre"), max_length=40, required=False,
                                 help_text=_("Only when the problem concerns a named cadre: kept encrypted, shown "
                                             "masked."))
    concerns_org = OrgPickerField(label=_("Unit concerned"), required=False,
                                  help_text=_("When the problem concerns another unit."))


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=2000)


class FinalizeForm(StyledForm):
    meeting_name = forms.CharField(label=_("Approving meeting"), max_length=100)
    meeting_on = forms.DateField(label=_("Meeting date"), widget=DateInput())


class GroupForm(StyledForm):
    """Up to five seats, each a reviewer and the department they come from."""

    def __init__(self, *args, users=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        user_choices = [("", "—"), *((u.pk, getattr(u, "display_name", "") or u.username) for u in users)]
        dep_choices = [("", "—"), *((d.pk, f"{d.name}（{d.org.name}）") for d in departments)]
        for i in range(1, GROUP_SEATS + 1):
            self.fields[f"user_{i}"] = forms.TypedChoiceField(label=_("Reviewer %(n)s") % {"n": i}, coerce=int,
                                                              choices=user_choices, required=False)
            self.fields[f"department_{i}"] = forms.TypedChoiceField(label=_("Department %(n)s") % {"n": i},
                                                                    coerce=int, choices=dep_choices, required=False)
            for name in (f"user_{i}", f"department_{i}"):
                self.fields[name].widget.attrs["class"] = "form-select"

    def seats(self):
        return [(self[f"user_{i}"], self[f"department_{i}"]) for i in range(1, GROUP_SEATS + 1)]


class EntryForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=40)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class DepartmentForm(EntryForm):
    pass


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))
