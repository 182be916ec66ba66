"""Forms of the congresses, proposals and disclosure records (back office)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from .models import AgendaKind, CongressKind, DisclosureChannel, DisclosureKind, Rating


class CongressForm(StyledForm):
    org = OrgPickerField(label=_("Unit holding the congress"), active_only=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=CongressKind.choices)
    term = forms.IntegerField(label=_("Term (第N届)"), min_value=1, max_value=99)
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), widget=DateInput())
    cosigners_required = forms.IntegerField(label=_("Co-signers a proposal needs"), min_value=0, max_value=50,
                                            initial=2)
    reply_days = forms.IntegerField(label=_("Working days to answer a proposal"), min_value=1, max_value=60,
                                    initial=15)


class RulesForm(StyledForm):
    term_end = forms.DateField(label=_("Term ends"), widget=DateInput())
    cosigners_required = forms.IntegerField(label=_("Co-signers a proposal needs"), min_value=0, max_value=50)
    reply_days = forms.IntegerField(label=_("Working days to answer a proposal"), min_value=1, max_value=60)


class DelegateForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    election_unit = forms.CharField(label=_("Election unit"), max_length=60)
    id_number = forms.CharField(label=_("ID number (optional)"), max_length=30, required=False,
                                help_text=_("Links the delegate to the members registry."),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    front_line = forms.BooleanField(label=_("Front-line worker"), required=False)
    woman = forms.BooleanField(label=_("Woman"), required=False)
    manager = forms.BooleanField(label=_("Manager (middle level and above)"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (xlsx, xls, ods or csv)"))


class SessionForm(StyledForm):
    number = forms.IntegerField(label=_("Session (第N次会议)"), min_value=1, max_value=99, required=False,
                                help_text=_("Leave empty for the next number."))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    present = forms.IntegerField(label=_("Delegates present"), min_value=1)


def _votes(data, form) -> tuple | None:
    votes = [data.get(k) for k in ("votes_for", "votes_against", "votes_abstain")]
    if all(v is None for v in votes):
        return None
    if any(v is None for v in votes):
        form.add_error("votes_for", _("Enter the votes for, against and the abstentions, or none of them."))
        return None
    return tuple(votes)


class AgendaForm(StyledForm):
    title = forms.CharField(label=_("Item"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaKind.choices)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False,
                                       help_text=_("Leave the votes empty for an item reviewed without a vote."))

    def clean(self):
        data = super().clean()
        data["votes"] = _votes(data, self)
        return data


class VoteForm(StyledForm):
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0)


class ProposalForm(StyledForm):
    proposer = forms.ChoiceField(label=_("Proposer"))
    cosigners = forms.MultipleChoiceField(label=_("Co-signers"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 10}))
    title = forms.CharField(label=_("Proposal title"), max_length=100)
    reason = forms.CharField(label=_("Reasons"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    suggestion = forms.CharField(label=_("Suggestions"), max_length=3000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, delegates=(), required: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(d.pk), f"{d.name}（{d.election_unit}）") for d in delegates]
        self.fields["proposer"].choices = [("", "—"), *choices]
        self.fields["cosigners"].choices = choices
        self.fields["cosigners"].help_text = _("At least %(n)s delegates besides the proposer (hold Ctrl to choose "
                                               "several).") % {"n": required}


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(label=_("Committee's decision"), choices=[
        ("accept", _("Accept (立案)")), ("convert", _("Turn into an opinion (转意见)")),
        ("decline", _("Decline (不予立案)"))])
    note = forms.CharField(label=_("Note or reason"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required to decline (the reason) and to turn into an opinion (to whom)."))
    on = forms.DateField(label=_("Decided on"), widget=DateInput(), initial=timezone.localdate)


class AssignForm(StyledForm):
    department = forms.CharField(label=_("Department"), max_length=60)
    handler = forms.CharField(label=_("Handler"), max_length=50, required=False)
    on = forms.DateField(label=_("Assigned on"), widget=DateInput(), initial=timezone.localdate)


class ReopenForm(StyledForm):
    department = forms.CharField(label=_("Department"), max_length=60, required=False,
                                 help_text=_("Leave empty to keep the same department."))
    handler = forms.CharField(label=_("Handler"), max_length=50, required=False)
    on = forms.DateField(label=_("Assigned again on"), widget=DateInput(), initial=timezone.localdate)


class AnswerForm(StyledForm):
    reply = forms.CharField(label=_("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    on = forms.DateField(label=_("Replied on"), widget=DateInput(), initial=timezone.localdate)


class RateForm(StyledForm):
    rating = forms.ChoiceField(label=_("Proposer's rating"), choices=Rating.choices)
    note = forms.CharField(label=_("Proposer's comment"), max_length=500, required=False)
    on = forms.DateField(label=_("Rated on"), widget=DateInput(), initial=timezone.localdate)


class ProposalFilterForm(StyledForm):
    q = forms.CharField(label=_("Proposal title"), required=False)
    department = forms.CharField(label=_("Department"), required=False)


class CongressFilterForm(StyledForm):
    q = forms.CharField(label=_("Unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *CongressKind.choices])


class DisclosureForm(StyledForm):
    org = OrgPickerField(label=_("Unit"), active_only=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisclosureKind.choices)
    disclosed_on = forms.DateField(label=_("Disclosed on"), widget=DateInput(), initial=timezone.localdate)
    subject = forms.CharField(label=_("What was disclosed"), max_length=100)
    summary = forms.CharField(label=_("Content summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(label=_("Channel"), choices=DisclosureChannel.choices)
    audience = forms.CharField(label=_("Audience"), max_length=100, initial=_("All workers"))


class DisclosureFilterForm(StyledForm):
    q = forms.CharField(label=_("What was disclosed"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *DisclosureKind.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All")), *DisclosureChannel.choices])
