"""Audit labels of the democracy actions (poll events and counts only: never a vote)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type


def _resolve_polls(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Poll

    if not actor.can("democracy.view"):
        return {}
    qs = Poll.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()], org_path__startswith=actor.org.path)
    return {str(p.pk): DisplayedObject(p.title, reverse("democracy:poll_detail", args=[p.pk])) for p in qs}


register_group("democracy", _("Democracy"))
register_object_type("democracy.poll", _("Evaluation poll"), _resolve_polls)
register_object_type("democracy.criteria", _("Criteria set"), lambda actor, ids: {})
_DETAILS = {
    "name": _("Name"), "criteria": _("Criteria"), "kind": _("Kind"), "electorate": _("Electorate"),
    "subjects": _("Subjects evaluated"), "count": _("Codes"), "issued": _("Codes issued"), "sent": _("Codes sent"),
    "no_phone": _("Voters without a mobile phone"), "already": _("Voters sent a code before"),
    "ballots": _("Ballots"), "codes_issued": _("Codes issued"), "codes_unused": _("Codes left unused"),
    "valid": _("Valid"), "board": _("On the public board"),
}
for _code, _label, _type in (
    ("democracy.criteria_create", _("Criteria set created"), "democracy.criteria"),
    ("democracy.poll_create", _("Evaluation poll set up"), "democracy.poll"),
    ("democracy.codes_print", _("Voting codes printed"), "democracy.poll"),
    ("democracy.codes_send", _("Voting codes sent"), "democracy.poll"),
    ("democracy.poll_close", _("Evaluation poll closed and counted"), "democracy.poll"),
    ("democracy.poll_publish", _("Evaluation result published"), "democracy.poll"),
):
    register(_code, _label, group="democracy", object_type=_type, details=_DETAILS)


# Surveys: the survey's events and counts; an identified response names the member (never an answer), an anonymous
# one leaves no event at all.
def _resolve_surveys(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Survey

    if not actor.can("democracy.view"):
        return {}
    qs = Survey.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()], org_path__startswith=actor.org.path)
    return {str(s.pk): DisplayedObject(s.title, reverse("democracy:survey_detail", args=[s.pk])) for s in qs}


register_object_type("democracy.survey", _("Survey"), _resolve_surveys)
_SURVEY_DETAILS = {
    "anonymous": _("Anonymous"), "limit": _("Response limit"), "position": _("Question number"),
    "question_kind": _("Kind of question"), "questions": _("Questions"), "responses": _("Responses"),
    "person": _("Member"), "masked": _("Masked"),
}
for _code, _label in (
    ("democracy.survey_create", _("Survey created")),
    ("democracy.survey_update", _("Survey settings changed")),
    ("democracy.question_add", _("Survey question added")),
    ("democracy.question_edit", _("Survey question changed")),
    ("democracy.question_move", _("Survey question moved")),
    ("democracy.question_delete", _("Survey question removed")),
    ("democracy.survey_open", _("Survey opened")),
    ("democracy.survey_close", _("Survey closed")),
    ("democracy.survey_respond", _("Identified survey answered")),
    ("democracy.survey_export", _("Survey responses exported")),
):
    register(_code, _label, group="democracy", object_type="democracy.survey", details=_SURVEY_DETAILS)
# Workers' congresses, proposals and disclosure records (audit_congress.py; it also registers the supervision kind
# "proposal").
from . import audit_congress  # noqa: E402,F401
