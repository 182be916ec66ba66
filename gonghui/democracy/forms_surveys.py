"""Forms of the surveys: settings and questions (back office), and the member's proof on an identified survey."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm

from .forms import DateTimeInput
from .models import QuestionKind, SurveyState


class SurveyForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    intro = forms.CharField(label=_("Introduction"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Shown above the questions: why the union asks, how the answers are used."))
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False, initial=True,
                                   help_text=_("Anonymous: nobody can tell who gave an answer; a browser answers once, "
                                               "but someone using several browsers or devices could answer again. "
                                               "Not anonymous: members prove who they are with their ID number and "
                                               "phone, and each member answers once."))
    opens_at = forms.DateTimeField(label=_("Answers open"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Answers close"), widget=DateTimeInput())
    response_limit = forms.IntegerField(label=_("Response limit"), min_value=0, max_value=1_000_000, initial=0,
                                        required=False, help_text=_("The survey takes no more answers once it has "
                                                                    "this many (empty or 0: no limit)."))

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("Answers must close after they open."))
        return data


class QuestionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=200)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    options = forms.CharField(label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Choices: one option per line. Scale: optionally the labels of its two "
                                          "ends, one per line (很不满意, 很满意)."))
    max_choices = forms.IntegerField(label=_("At most this many choices"), required=False, min_value=0,
                                     max_value=20, help_text=_("Multiple choice; empty or 0: no limit."))
    scale_min = forms.IntegerField(label=_("Scale from"), required=False, min_value=-10, max_value=10, initial=1)
    scale_max = forms.IntegerField(label=_("Scale to"), required=False, min_value=-10, max_value=10, initial=5)
    max_length = forms.IntegerField(label=_("Longest answer (characters)"), required=False, min_value=1,
                                    max_value=2000, initial=500, help_text=_("Free text."))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "text": d["text"], "required": d["required"], "options": d["options"],
                "max_choices": d["max_choices"] or 0,
                "scale_min": d["scale_min"] if d["scale_min"] is not None else 1,
                "scale_max": d["scale_max"] if d["scale_max"] is not None else 5,
                "max_length": d["max_length"] or 500}

    @classmethod
    def initial_for(cls, q) -> dict:
        return {"kind": q.kind, "text": q.text, "required": q.required, "options": "\n".join(q.options),
                "max_choices": q.max_choices, "scale_min": q.scale_min, "scale_max": q.scale_max,
                "max_length": q.max_length}


class SurveyFilterForm(StyledForm):
    q = forms.CharField(label=_("Title"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *SurveyState.choices])


_OFF = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class RespondentForm(StyledForm):
    """An identified survey: the member proves who they are as on the member pages (ID number and the last four
    digits of the mobile number on file)."""

    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=forms.TextInput(attrs=_OFF))
    phone_last4 = forms.CharField(label=_("Last four digits of your mobile number"), max_length=4,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                                "pattern": "[0-9]{4}"}))
