"""Forms of the back-office screens and of the public request pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.widgets import OrgPickerField

from .models import STAFF_CHANNELS, Category, Channel, Color, Complexity, Satisfaction, Topic

TEXTAREA = {"rows": 3}


class Form(StyledForm):
    """StyledForm, with radio buttons styled as Bootstrap checks rather than text inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


ALL = _("All")


def _blank(choices, label=ALL):
    return [("", label), *choices]


class IntakeForm(Form):
    """The front desk's one screen: who, how, what; optionally answered on the spot or dispatched at once."""

    channel = forms.ChoiceField(label=_("Came in by"), widget=forms.RadioSelect, initial=Channel.VISIT,
                                choices=[(c, Channel(c).label) for c in STAFF_CHANNELS])
    people = forms.IntegerField(label=_("People"), min_value=1, max_value=10000, initial=1, required=False,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                help_text=_("Visits: 5 people or more is a collective visit."))
    worker_name = forms.CharField(label=_("Worker's name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
                            help_text=_("The worker tracks the request with its last 4 digits."))
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Kind"), choices=Category.choices, initial=Category.CONSULTATION)
    topic = forms.ChoiceField(label=_("Topic"), choices=_blank(Topic.choices, "—"))
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices, initial=Complexity.GENERAL)
    subject = forms.CharField(label=_("Subject"), max_length=100)
    description = forms.CharField(label=_("Details"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs=TEXTAREA))
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput(),
                                  help_text=_("Empty: today. A letter counts from the day it arrived."))
    source_note = forms.CharField(label=_("Referred by"), max_length=100, required=False,
                                  help_text=_("The grid officer, or the office that referred it."))
    dispatch_to = OrgPickerField(label=_("Dispatch at once to"), required=False, active_only=True,
                                 help_text=_("Empty: it is handled here."))
    reply = forms.CharField(label=_("Answered on the spot"), max_length=4000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("For a consultation answered at the desk: the answer given."))

    WHO = ("channel", "people", "worker_name", "phone", "workplace")
    WHAT = ("category", "topic", "complexity", "subject", "description")
    MORE = ("received_on", "source_note", "dispatch_to", "reply")

    def __init__(self, *args, dispatch_below: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].widget.attrs["class"] = "btn-check"
        self.fields["dispatch_to"].limit_below(dispatch_below)

    def group(self, names):
        return [self[n] for n in names]

    def who(self):
        return self.group(self.WHO)

    def what(self):
        return self.group(self.WHAT)

    def more(self):
        return self.group(self.MORE)

    def intake_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in (*self.WHO, *self.WHAT, "received_on", "source_note")}
        data["people"] = data["people"] or 1
        return data


class InboxFilterForm(Form):
    org = OrgPickerField(label=_("Unit"), required=False)
    q = forms.CharField(label=_("Code, subject or name"), max_length=50, required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=_blank(Topic.choices), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(Channel.choices), required=False)
    color = forms.ChoiceField(label=_("Color"), required=False,
                              choices=_blank([(c, Color(c).label) for c in (Color.BLUE, Color.YELLOW, Color.RED)]))
    held_here = forms.BooleanField(label=_("Only held by this unit"), required=False)


class DispatchForm(Form):
    to = OrgPickerField(label=_("Dispatch to"), active_only=True)
    department = forms.CharField(label=_("Department"), max_length=50, required=False)
    note = forms.CharField(label=_("Instructions"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, below: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].limit_below(below)  # down the tree from the handling unit


class AcceptForm(Form):
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)


class ReturnForm(Form):
    reason = forms.CharField(label=_("Reason for returning"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(Form):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(Form):
    missing = forms.CharField(label=_("Missing papers, one per line"), max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Tell the worker everything missing at once (一次性告知); they get the list "
                                          "by SMS and on the tracking page."))


class ReplyForm(Form):
    reply = forms.CharField(label=_("Reply to the worker"), max_length=4000, widget=forms.Textarea(attrs=TEXTAREA))


class FollowUpForm(Form):
    satisfaction = forms.ChoiceField(label=_("The worker is"), required=False,
                                     choices=[*Satisfaction.choices, ("", _("not reached"))])
    note = forms.CharField(label=_("Follow-up note"), max_length=500, required=False)


class CloseForm(Form):
    solved = forms.BooleanField(label=_("The worker's problem was actually solved"), required=False, initial=True,
                                help_text=_("Untick when the request was only answered and explained."))


class ReopenForm(Form):
    reason = forms.CharField(label=_("Why it is handled again"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CoHandlerForm(Form):
    org = OrgPickerField(label=_("Co-handling unit"), active_only=True)
    task = forms.CharField(label=_("Task"), max_length=200)


class CoReportForm(Form):
    report = forms.CharField(label=_("Our opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReclassifyForm(Form):
    category = forms.ChoiceField(label=_("Kind"), choices=Category.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)


class RevealForm(Form):
    reason = forms.CharField(label=_("Reason for viewing"), min_length=2, max_length=200)  # as reveal() asks


class PolicyForm(Form):
    category = forms.ChoiceField(label=_("Kind"), choices=_blank(Category.choices, _("any")), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=_blank(Topic.choices, _("any")), required=False)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)
    working_days = forms.IntegerField(label=_("Working days"), min_value=0, max_value=250)
    commitment = forms.CharField(label=_("Service commitment"), max_length=200, required=False)


# The public pages

class RequestForm(Form):
    """A worker's request on the public page; the consent is its own box."""

    worker_name = forms.CharField(label=_("Your name"), max_length=50,
                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
                            help_text=_("The union tells you the progress on this number; you track the request with "
                                        "its last 4 digits."))
    workplace = forms.CharField(label=_("Your workplace"), max_length=100, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    id_number = forms.CharField(label=_("ID number (optional)"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                              "spellcheck": "false"}),
                                help_text=_("Only needed to see or delete this request on the personal-information "
                                            "page (/privacy/) later."))
    category = forms.ChoiceField(label=_("What kind of request"), choices=Category.choices, initial=Category.SOLUTION)
    topic = forms.ChoiceField(label=_("What it is about"), choices=[("", "—"), *Topic.choices])
    subject = forms.CharField(label=_("In a few words"), max_length=100)
    description = forms.CharField(label=_("What happened and what you ask for"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    consent = forms.BooleanField(
        label=_("I agree to the union processing the personal information in this request to handle it, as the "
                "notice above describes."),
        error_messages={"required": _("Without your consent to the processing of your personal information the "
                                      "union cannot handle your request.")})
    consent_id_number = forms.BooleanField(
        label=_("I consent separately to the union processing my ID number, which is sensitive personal information, "
                "for the use the notice above describes (only if you gave it)."), required=False)
    notice_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    org = forms.ChoiceField(label=_("Which federation should handle it"),
                            error_messages={"required": _("Choose the federation of the place where you work."),
                                            "invalid_choice": _("Choose the federation of the place where you work.")})

    ABOUT = ("worker_name", "phone", "workplace", "id_number")
    REQUEST = ("category", "topic", "subject", "description")

    def __init__(self, *args, targets=(), fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed is not None:
            self.fields["org"].choices = [(fixed.code, fixed.name)]
            self.fields["org"].initial = fixed.code
            self.fields["org"].widget = forms.HiddenInput()
        else:
            self.fields["org"].choices = [("", "—"), *((o.code, o.name) for o in targets)]

    def about_fields(self):
        return [self[n] for n in self.ABOUT]

    def request_fields(self):
        names = self.REQUEST if self.fields["org"].widget.is_hidden else ("org", *self.REQUEST)
        return [self[n] for n in names]

    def consent_fields(self):
        return [self["consent"], self["consent_id_number"]]

    def request_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in (*self.ABOUT, *self.REQUEST, "consent_id_number")}


class TrackForm(Form):
    code = forms.CharField(label=_("Tracking code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    last4 = forms.RegexField(label=_("Last 4 digits of your phone number"), regex=r"^\s*\d{4}\s*$",
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "maxlength": "4"}),
                             error_messages={"invalid": _("Type the last 4 digits of the phone number.")})


class RateForm(Form):
    satisfaction = forms.ChoiceField(label=_("How satisfied are you with the outcome?"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": _("Choose how satisfied you are.")})
    comment = forms.CharField(label=_("Comment (optional)"), max_length=200, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
