"""Forms of the evaluation polls (back office) and of voting (the public page)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm

from .models import GRADES, Electorate, PollKind, PollState


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PollForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PollKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    criteria_set = forms.ChoiceField(label=_("Criteria set"))
    subjects = forms.CharField(label=_("Subjects evaluated"), widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("One per line: a name, optionally a comma and the post (王明，工会主席); "
                                           "or the leadership team, or the union itself."))
    electorate = forms.ChoiceField(label=_("Who votes"), choices=Electorate.choices)
    electorate_size = forms.IntegerField(label=_("Voters on site"), required=False, min_value=1,
                                         help_text=_("For printed codes: the number of voters in the room."))
    electorate_org = forms.ChoiceField(label=_("Members of"), required=False,
                                       help_text=_("For codes sent to members: the union whose members (and those "
                                                   "of the unions below it) vote."))
    opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput())
    allow_comment = forms.BooleanField(label=_("Voters may add a comment"), required=False)

    def __init__(self, *args, sets=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].choices = [(str(s.pk), f"{s.name}（{s.get_scale_display()}）") for s in sets]
        self.fields["electorate_org"].choices = [("", "—")] + [(str(o.pk), o.name) for o in orgs]

    def clean(self):
        data = super().clean()
        if data.get("electorate") == Electorate.ON_SITE and not data.get("electorate_size"):
            self.add_error("electorate_size", _("Enter the number of voters on site."))
        if data.get("electorate") == Electorate.MEMBERS and not data.get("electorate_org"):
            self.add_error("electorate_org", _("Choose the union whose members vote."))
        return data


class PrintForm(StyledForm):
    count = forms.IntegerField(label=_("Codes to print"), min_value=1, max_value=50000)


class DelegatesForm(StyledForm):
    id_numbers = forms.CharField(label=_("Delegates' ID numbers"), widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=_("One ID number per line; each delegate must be a member of the registry."))

    def clean_id_numbers(self):
        from gonghui.core import crypto
        from gonghui.members.models import Person

        lines = [line.strip().upper() for line in self.cleaned_data["id_numbers"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("Enter at least one ID number."))
        if len(lines) > 5000:
            raise forms.ValidationError(_("At most 5000 delegates at a time."))
        found = {p.id_number_bidx: p for p in Person.objects.filter(
            id_number_bidx__in=[crypto.blind_index(n, kind="id_number") for n in lines])}
        missing = [i for i, n in enumerate(lines, start=1)
                   if crypto.blind_index(n, kind="id_number") not in found]
        if missing:
            raise forms.ValidationError(_("No member of the registry has the ID number on line(s) %(l)s.")
                                        % {"l": "、".join(str(i) for i in missing[:20])})
        return list(found.values())


class PublishForm(StyledForm):
    board = forms.BooleanField(label=_("Also on the union's public board"), required=False)
    days = forms.IntegerField(label=_("Days on the board"), min_value=1, max_value=366, initial=30)


class CriteriaForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    scale = forms.ChoiceField(label=_("Scale"))
    criteria = forms.CharField(label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=_("One criterion per line."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Scale

        self.fields["scale"].choices = Scale.choices


class PollFilterForm(StyledForm):
    q = forms.CharField(label=_("Title"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *PollState.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *PollKind.choices])


class CodeForm(StyledForm):
    code = forms.CharField(label=_("Voting code"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false", "inputmode": "text"}))


class TrackingForm(StyledForm):
    tracking = forms.CharField(label=_("Tracking code of your ballot"), max_length=20,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))


def ballot_fields(poll, subjects, posted: dict | None = None) -> list[dict]:
    """The ballot's questions: one radio group per (subject, criterion), named a<position>_<criterion index>, with
    the grade chosen before when the ballot comes back with an error."""
    grades, posted = GRADES[poll.scale], posted or {}
    return [{"subject": s, "criteria": [{"name": f"a{s.position}_{ci}", "label": c, "grades": grades,
                                         "checked": posted.get(f"a{s.position}_{ci}")}
                                        for ci, c in enumerate(poll.criteria)]} for s in subjects]


def ballot_answers(poll, subjects, data) -> dict:
    return {(s.position, ci): data.get(f"a{s.position}_{ci}", "") for s in subjects
            for ci in range(len(poll.criteria))}


def default_window():
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now, now + timezone.timedelta(days=7)
