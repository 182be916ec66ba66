"""Forms of the visit and inspection pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm

from .models import ItemKind, ItemState, TipState

ALL = _("All")


class VisitFilterForm(StyledForm):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    q = forms.CharField(label=_("Subject of the visit"), max_length=50, required=False)


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.get_username()


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.get_username()


class VisitForm(StyledForm):
    title = forms.CharField(label=_("Subject of the visit"), max_length=200)
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    ended_on = forms.DateField(label=_("To"), widget=DateInput(), required=False,
                               help_text=_("Leave empty for a one-day visit."))
    leader = UserChoice(label=_("Team leader"), queryset=None)
    team = UsersChoice(label=_("Team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    units = forms.CharField(label=_("Units visited"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000,
                            help_text=_("One a line: the code of a unit of your area, or for an enterprise without a "
                                        "union its name and unified social credit code."))
    forums = forms.IntegerField(label=_("Forums held"), min_value=0, max_value=100000, initial=0)
    forum_people = forms.IntegerField(label=_("Workers at the forums"), min_value=0, max_value=100000, initial=0)
    interviews = forms.IntegerField(label=_("Individual interviews"), min_value=0, max_value=100000, initial=0)
    questionnaires = forms.IntegerField(label=_("Questionnaires handed out"), min_value=0, max_value=100000,
                                        initial=0)
    findings = forms.CharField(label=_("Problems found on the visit"), widget=forms.Textarea(attrs={"rows": 4}),
                               required=False, max_length=60000, help_text=_("One a line."))
    solved = forms.IntegerField(label=_("Problems solved on the spot"), min_value=0, max_value=100000, initial=0)
    solved_text = forms.CharField(label=_("What was solved on the spot"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False, max_length=5000)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=5000)

    def __init__(self, *args, users=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = users
        self.fields["team"].queryset = users
        if editing:
            self.fields["findings"].label = _("More problems found")


class FindingProblemForm(StyledForm):
    unit = forms.ChoiceField(label=_("Unit the problem belongs to"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(o.code, o.name) for o in units]


class RoundForm(StyledForm):
    title = forms.CharField(label=_("Round"), max_length=200)
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    ended_on = forms.DateField(label=_("To"), widget=DateInput(), required=False)
    leader = UserChoice(label=_("Team leader"), queryset=None)
    team = UsersChoice(label=_("Team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    units = forms.CharField(label=_("Units inspected"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                            help_text=_("The codes of the units, one a line."))
    methods = forms.CharField(label=_("Methods"), max_length=200, required=False,
                              help_text=_("For example: sitting in on meetings, reading files, talking to workers."))

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = users
        self.fields["team"].queryset = users


class ItemForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    unit = forms.ChoiceField(label=_("Unit"))
    title = forms.CharField(label=_("Item title"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    due_on = forms.DateField(label=_("Answer by"), widget=DateInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(o.code, o.name) for o in units]


class AnswerForm(StyledForm):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ItemFilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", ALL), *ItemKind.choices], required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", ALL), *ItemState.choices], required=False)


class TipFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), choices=[("", ALL), *TipState.choices], required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    code = forms.CharField(label=_("Tracking code"), max_length=12, required=False)


class TipProblemForm(StyledForm):
    title = forms.CharField(label=_("Problem"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)

    def __init__(self, *args, **kwargs):
        from .models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)


class CaseReferForm(StyledForm):
    """File a finding or a tip as a request case (诉求)."""

    subject = forms.CharField(label=_("Subject of the request"), max_length=100)
    category = forms.ChoiceField(label=_("Kind of request"))
    topic = forms.ChoiceField(label=_("Topic of the request"))

    def __init__(self, *args, **kwargs):
        from gonghui.casework.models import Category, Topic

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"), *Category.choices]
        self.fields["topic"].choices = [("", "---------"), *Topic.choices]
