"""Surveys (微调查): build a questionnaire while it is a draft, open it, take answers on the portal, close it (by hand
or by ``gonghui tick`` at the end of its window), count the results, export the responses.

The secrecy of anonymous surveys is in the schema (models/surveys.py). Here: nothing records, logs or audits a
single anonymous response, nor any answer's content; the survey's events carry counts only. The response limit
is a conditional ``UPDATE … SET responses = responses + 1 WHERE responses < limit``: concurrent submissions queue
on the survey's row, and the one that would pass the limit updates nothing and is refused.
"""

import datetime
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.identity import mask_numbers

from .models import Question, QuestionKind, Survey, SurveyAnswer, SurveyResponse, SurveyState

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_TEXT = 2000  # the longest a text answer may be allowed to be
MAX_DAYS = 180
MAX_LIMIT = 1_000_000


def _user(actor):
    return actor.user if actor.user is not None and getattr(actor.user, "is_authenticated", False) else None


def _lock(actor, survey: Survey, perm: str = "democracy.write") -> Survey:
    actor.require(perm)
    actor.require_covers(survey.org_path)
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _draft(survey: Survey) -> None:
    if survey.state != SurveyState.DRAFT:
        raise ValidationError(_("The survey is open or closed: its questions and settings can no longer change."))


def _record(actor, action: str, survey: Survey, **details) -> None:
    audit.record(actor=actor, action=f"democracy.{action}", object_type="democracy.survey", object_id=survey.pk,
                 scope_path=survey.org_path, details=details)


# --- the survey and its questions ------------------------------------------------------------------------------

def _settings_errors(*, title, intro, opens_at, closes_at, response_limit) -> dict:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the survey a title.")
    elif len(title.strip()) > 100:
        errors["title"] = _("A title has at most 100 characters.")
    if len(intro or "") > 1000:
        errors["intro"] = _("The introduction has at most 1000 characters.")
    if opens_at is None or closes_at is None:
        errors["closes_at"] = _("Give the time answers open and close.")
    elif closes_at <= opens_at:
        errors["closes_at"] = _("Answers must close after they open.")
    elif closes_at <= timezone.now():
        errors["closes_at"] = _("Answers must close in the future.")
    elif closes_at - opens_at > datetime.timedelta(days=MAX_DAYS):
        errors["closes_at"] = _("A survey is open for at most %(n)s days.") % {"n": MAX_DAYS}
    if not isinstance(response_limit, int) or not 0 <= response_limit <= MAX_LIMIT:
        errors["response_limit"] = _("Enter the most responses to take (0 for no limit).")
    return errors


@transaction.atomic
def survey_create(*, actor, org, title: str, opens_at: datetime.datetime, closes_at: datetime.datetime,
                  intro: str = "", anonymous: bool = True, response_limit: int = 0) -> Survey:
    actor.require("democracy.write")
    actor.require_covers(org.path)
    errors = _settings_errors(title=title, intro=intro, opens_at=opens_at, closes_at=closes_at,
                              response_limit=response_limit)
    if errors:
        raise ValidationError(errors)
    survey = Survey(org=org, org_path=org.path, title=title.strip(), intro=(intro or "").strip(),
                    anonymous=bool(anonymous), opens_at=opens_at, closes_at=closes_at, response_limit=response_limit,
                    created_by=_user(actor))
    survey.full_clean()
    survey.save()
    _record(actor, "survey_create", survey, anonymous=survey.anonymous, limit=response_limit)
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, title: str, opens_at: datetime.datetime,
                  closes_at: datetime.datetime, intro: str = "", anonymous: bool = True,
                  response_limit: int = 0) -> Survey:
    """Change a draft's settings (once open, respondents were told whether it is anonymous: it stays so)."""
    survey = _lock(actor, survey)
    _draft(survey)
    errors = _settings_errors(title=title, intro=intro, opens_at=opens_at, closes_at=closes_at,
                              response_limit=response_limit)
    if errors:
        raise ValidationError(errors)
    survey.title, survey.intro, survey.anonymous = title.strip(), (intro or "").strip(), bool(anonymous)
    survey.opens_at, survey.closes_at, survey.response_limit = opens_at, closes_at, response_limit
    survey.full_clean()
    survey.save(update_fields=["title", "intro", "anonymous", "opens_at", "closes_at", "response_limit"])
    _record(actor, "survey_update", survey, anonymous=survey.anonymous, limit=response_limit)
    return survey


def _option_lines(options) -> list[str]:
    lines = options.splitlines() if isinstance(options, str) else list(options or [])
    return [str(line).strip() for line in lines if str(line).strip()]


def _question_fields(*, kind: str, text: str, required: bool, options, max_choices: int, scale_min: int,
                     scale_max: int, max_length: int) -> dict:
    errors = {}
    text = (text or "").strip()
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose the kind of question.")
    if not text:
        errors["text"] = _("Write the question.")
    elif len(text) > 200:
        errors["text"] = _("A question has at most 200 characters.")
    lines = _option_lines(options)
    out = {"kind": kind, "text": text, "required": bool(required), "options": [], "max_choices": 0,
           "scale_min": 1, "scale_max": 5, "max_length": 500}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(lines) < 2:
            errors["options"] = _("Give at least two options, one per line.")
        elif len(lines) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)s options.") % {"n": MAX_OPTIONS}
        elif any(len(line) > 100 for line in lines):
            errors["options"] = _("An option has at most 100 characters.")
        elif len(set(lines)) != len(lines):
            errors["options"] = _("Each option appears once.")
        out["options"] = lines
        if kind == QuestionKind.MULTIPLE:
            if not isinstance(max_choices, int) or max_choices < 0 or (lines and max_choices > len(lines)):
                errors["max_choices"] = _("At most as many choices as there are options (0: no limit).")
            else:
                out["max_choices"] = max_choices
    elif kind == QuestionKind.SCALE:
        if not (isinstance(scale_min, int) and isinstance(scale_max, int) and -10 <= scale_min < scale_max <= 10
                and scale_max - scale_min <= 10):
            errors["scale_max"] = _("A scale runs from a smaller to a larger whole number, between -10 and 10, "
                                    "with at most 11 points.")
        else:
            out["scale_min"], out["scale_max"] = scale_min, scale_max
        if len(lines) not in (0, 2) or any(len(line) > 20 for line in lines):
            errors["options"] = _("For a scale, leave the options empty or give the labels of its two ends, one "
                                  "per line (at most 20 characters each).")
        out["options"] = lines
    elif kind == QuestionKind.TEXT:
        if not isinstance(max_length, int) or not 1 <= max_length <= MAX_TEXT:
            errors["max_length"] = _("A text answer may be from 1 to %(n)s characters long.") % {"n": MAX_TEXT}
        else:
            out["max_length"] = max_length
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def question_add(*, actor, survey: Survey, kind: str, text: str, required: bool = True, options=(),
                 max_choices: int = 0, scale_min: int = 1, scale_max: int = 5, max_length: int = 500) -> Question:
    survey = _lock(actor, survey)
    _draft(survey)
    fields = _question_fields(kind=kind, text=text, required=required, options=options, max_choices=max_choices,
                              scale_min=scale_min, scale_max=scale_max, max_length=max_length)
    last = Question.objects.filter(survey=survey).order_by("-position").values_list("position", flat=True).first()
    if Question.objects.filter(survey=survey).count() >= MAX_QUESTIONS:
        raise ValidationError(_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    question = Question(survey=survey, position=(last or 0) + 1, **fields)
    question.full_clean()
    question.save()
    _record(actor, "question_add", survey, position=question.position, question_kind=question.kind)
    return question


def _question_lock(actor, question: Question) -> tuple[Survey, Question]:
    survey = _lock(actor, question.survey)
    _draft(survey)
    return survey, Question.objects.select_for_update().get(pk=question.pk)


@transaction.atomic
def question_edit(*, actor, question: Question, kind: str, text: str, required: bool = True, options=(),
                  max_choices: int = 0, scale_min: int = 1, scale_max: int = 5, max_length: int = 500) -> Question:
    survey, question = _question_lock(actor, question)
    fields = _question_fields(kind=kind, text=text, required=required, options=options, max_choices=max_choices,
                              scale_min=scale_min, scale_max=scale_max, max_length=max_length)
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save(update_fields=list(fields))
    _record(actor, "question_edit", survey, position=question.position, question_kind=question.kind)
    return question


def _renumber(survey: Survey, ordered: list[int]) -> None:
    """Positions 1..n in the given order of ids (out of the way first: (survey, position) is unique)."""
    Question.objects.filter(survey=survey).update(position=F("position") + 1000)
    for position, pk in enumerate(ordered, start=1):
        Question.objects.filter(pk=pk).update(position=position)


@transaction.atomic
def question_move(*, actor, question: Question, direction: str) -> Question:
    """Move a question one place up or down."""
    survey, question = _question_lock(actor, question)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."))
    ids = list(Question.objects.filter(survey=survey).order_by("position").values_list("pk", flat=True))
    i = ids.index(question.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        _renumber(survey, ids)
        _record(actor, "question_move", survey, position=j + 1)
    question.refresh_from_db(fields=["position"])
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    survey, question = _question_lock(actor, question)
    position = question.position
    question.delete()
    _renumber(survey, list(Question.objects.filter(survey=survey).order_by("position").values_list("pk", flat=True)))
    _record(actor, "question_delete", survey, position=position)


def questions_of(survey: Survey) -> list[Question]:
    return list(Question.objects.filter(survey=survey).order_by("position"))


# --- opening and closing ---------------------------------------------------------------------------------------

@transaction.atomic
def survey_open(*, actor, survey: Survey) -> Survey:
    """Open a draft: its link takes answers from its window's start (the questions are fixed from now on)."""
    survey = _lock(actor, survey)
    _draft(survey)
    n = Question.objects.filter(survey=survey).count()
    if not n:
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The survey's window has passed: set a later closing time first.")})
    survey.state, survey.opened_at = SurveyState.OPEN, timezone.now()
    survey.save(update_fields=["state", "opened_at"])
    _record(actor, "survey_open", survey, questions=n, anonymous=survey.anonymous)
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey, now=None) -> Survey:
    """Close (early, or when the window ends: the tick does it then). A draft closes too: it is abandoned."""
    if actor.grant is not None:
        survey = _lock(actor, survey)
    else:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state == SurveyState.CLOSED:
        raise ValidationError(_("This survey is closed already."))
    now = now or timezone.now()
    survey.state, survey.closed_at = SurveyState.CLOSED, now
    if survey.closes_at > now:
        survey.closes_at = now if now > survey.opens_at else survey.opens_at + datetime.timedelta(seconds=1)
    survey.save(update_fields=["state", "closed_at", "closes_at"])
    _record(actor, "survey_close", survey, responses=survey.responses)
    return survey


def close_due(*, now=None) -> int:
    """Close every survey whose window is over."""
    from gonghui.core.access import SYSTEM

    now = now or timezone.now()
    n = 0
    for survey in Survey.objects.filter(state__in=[SurveyState.OPEN, SurveyState.DRAFT], closes_at__lte=now):
        survey_close(actor=SYSTEM, survey=survey, now=now)
        n += 1
    return n


# --- answering -------------------------------------------------------------------------------------------------

def refusal(survey: Survey, now=None) -> str:
    """Why the survey takes no answer now ("" when it does), in words for the respondent."""
    now = now or timezone.now()
    if survey.state == SurveyState.DRAFT:
        return _("This survey is not open yet.")
    if survey.state == SurveyState.CLOSED or now >= survey.closes_at:
        return _("This survey has closed. Thank you for your interest.")
    if now < survey.opens_at:
        return _("This survey opens at %(t)s.") % {"t": timezone.localtime(survey.opens_at).strftime("%Y-%m-%d %H:%M")}
    if survey.response_limit and survey.responses >= survey.response_limit:
        return _("This survey has all the responses it needs. Thank you for your interest.")
    return ""


def _label(q: Question) -> str:
    return _("Question %(n)s “%(t)s”") % {"n": q.position, "t": q.text}


def _values(raw) -> list[str]:
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _answer_rows(question: Question, raw, errors: dict) -> list[dict]:
    """The answer rows for one question (as dicts), or an error naming it in ``errors``."""
    values = _values(raw)
    key, label = f"q{question.pk}", _label(question)
    if not values:
        if question.required:
            errors[key] = _("%(q)s must be answered.") % {"q": label}
        return []
    if question.kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > question.max_length:
            errors[key] = _("%(q)s: the answer has %(l)s characters, at most %(n)s are allowed.") % {
                "q": label, "l": len(text), "n": question.max_length}
            return []
        return [{"text": text}]
    if question.kind == QuestionKind.SCALE:
        if len(values) > 1:
            errors[key] = _("%(q)s takes one value.") % {"q": label}
            return []
        try:
            value = int(values[0])
        except ValueError:
            value = None
        if value is None or not question.scale_min <= value <= question.scale_max:
            errors[key] = _("%(q)s: choose a value from %(a)s to %(b)s.") % {
                "q": label, "a": question.scale_min, "b": question.scale_max}
            return []
        return [{"value": value}]
    # Choices: each value is an option's index (from 0) or its text.
    chosen = []
    for v in values:
        if v.isdigit() and int(v) < len(question.options):
            index = int(v)
        elif v in question.options:
            index = question.options.index(v)
        else:
            errors[key] = _("%(q)s: “%(v)s” is not one of its options.") % {"q": label, "v": v[:40]}
            return []
        if index not in chosen:
            chosen.append(index)
    if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
        errors[key] = _("%(q)s takes one choice.") % {"q": label}
        return []
    if question.kind == QuestionKind.MULTIPLE and question.max_choices and len(chosen) > question.max_choices:
        errors[key] = _("%(q)s: at most %(n)s choices, %(c)s were made.") % {
            "q": label, "n": question.max_choices, "c": len(chosen)}
        return []
    return [{"choice": i} for i in chosen]


def validate_answers(survey: Survey, answers: Mapping, questions: list[Question] | None = None) -> list[tuple]:
    """(question, row) pairs for the answers, or a ValidationError keyed q<question id>, each message naming
    its question. ``answers`` maps a question's id to its value or values (an option's index or text, a scale
    value, a text). An id that is not one of this survey's questions is refused."""
    questions = questions if questions is not None else questions_of(survey)
    by_id = {q.pk: q for q in questions}
    unknown = [k for k in answers if not (str(k).isdigit() and int(k) in by_id)]
    if unknown:
        raise ValidationError(_("The answers name %(n)s question(s) that are not in this survey.")
                              % {"n": len(unknown)})
    given = {int(k): v for k, v in answers.items()}
    errors: dict[str, str] = {}
    rows = []
    for q in questions:
        rows += [(q, row) for row in _answer_rows(q, given.get(q.pk), errors)]
    if errors:
        raise ValidationError(errors)
    return rows


class SurveyRefused(ValidationError):
    """The survey takes no answer now (closed, not open yet, full) or this respondent has answered already."""


def response_submit(*, survey: Survey, answers: Mapping, person=None, now=None) -> SurveyResponse:
    """Take one respondent's answers. An anonymous survey's response is the answers and the day; an identified
    survey's names ``person`` (a member proven by the portal) and may be given once per person."""
    now = now or timezone.now()
    if survey.anonymous and person is not None:
        raise ValueError("an anonymous survey's response names nobody")
    if not survey.anonymous and person is None:
        raise SurveyRefused(_("This survey asks who you are: prove your membership to answer."))
    questions = questions_of(survey)
    rows = validate_answers(survey, answers, questions)
    with transaction.atomic():
        taken = (Survey.objects.filter(pk=survey.pk, state=SurveyState.OPEN, opens_at__lte=now, closes_at__gt=now)
                 .filter(Q(response_limit=0) | Q(responses__lt=F("response_limit")))
                 .update(responses=F("responses") + 1))
        if not taken:
            current = Survey.objects.get(pk=survey.pk)
            raise SurveyRefused(refusal(current, now) or _("This survey takes no more answers."))
        response = SurveyResponse(survey=survey, org_path=survey.org_path, submitted_on=timezone.localdate(now),
                                  person=person, submitted_at=now if person is not None else None)
        try:
            with transaction.atomic():
                response.save(force_insert=True)
        except IntegrityError:
            raise SurveyRefused(_("You have answered this survey already: each member answers once.")) from None
        SurveyAnswer.objects.bulk_create([SurveyAnswer(response=response, question=q, **row) for q, row in rows])
        if person is not None:
            audit.record(actor=_portal(), action="democracy.survey_respond", object_type="democracy.survey",
                         object_id=survey.pk, scope_path=survey.org_path, details={"person": person.uid})
    return response


def _portal():
    from gonghui.members.cards import PORTAL

    return PORTAL


def respondent_find(*, survey: Survey, id_number: str, phone_last4: str):
    """The member of the survey's union (or a union below it) holding this ID number, whose mobile number ends
    with these four digits; else None (any mismatch gets the same answer)."""
    from gonghui.core import crypto, identity
    from gonghui.members.cards import normalize_id_number
    from gonghui.members.models import Membership, MembershipStatus

    id_value = normalize_id_number(id_number)
    last4 = identity.to_halfwidth(str(phone_last4 or "")).strip()
    if not (len(last4) == 4 and last4.isdigit()):
        raise ValidationError({"phone_last4": _("Type the last four digits of your mobile number.")})
    membership = (Membership.objects.select_related("person")
                  .filter(person__id_number_bidx=crypto.blind_index(id_value, kind="id_number"),
                          status=MembershipStatus.ACTIVE, org_path__startswith=survey.org_path).first())
    if membership is None or not membership.person.phone or membership.person.phone[-4:] != last4:
        return None
    return membership.person


# --- results and export ----------------------------------------------------------------------------------------

def results(survey: Survey) -> dict:
    """Counts per option, the scale's distribution and mean, the number of text answers: two grouped queries
    for the whole survey, whatever the number of responses."""
    questions = questions_of(survey)
    answers = SurveyAnswer.objects.filter(question__survey=survey)
    by_choice = {(r["question"], r["choice"], r["value"]): r["n"] for r in
                 answers.exclude(choice__isnull=True, value__isnull=True)
                 .values("question", "choice", "value").annotate(n=Count("pk")).order_by()}
    answered = dict(answers.values("question").annotate(n=Count("response", distinct=True))
                    .values_list("question", "n").order_by())
    total = survey.responses
    out = []
    for q in questions:
        n = answered.get(q.pk, 0)
        item = {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text, "required": q.required,
                "answered": n, "skipped": max(total - n, 0)}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = [by_choice.get((q.pk, i, None), 0) for i in range(len(q.options))]
            item["options"] = [{"label": label, "count": c, "rate": round(100 * c / n, 1) if n else 0}
                               for label, c in zip(q.options, counts, strict=True)]
            item["chart"] = {"type": "pie" if q.kind == QuestionKind.SINGLE else "bar",
                             "labels": list(q.options), "values": counts}
        elif q.kind == QuestionKind.SCALE:
            points = list(range(q.scale_min, q.scale_max + 1))
            counts = [by_choice.get((q.pk, None, v), 0) for v in points]
            item["scale"] = [{"value": v, "count": c} for v, c in zip(points, counts, strict=True)]
            item["mean"] = round(sum(v * c for v, c in zip(points, counts, strict=True)) / n, 2) if n else None
            ends = q.options if len(q.options) == 2 else ["", ""]
            labels = [f"{v}" + (f" {ends[0]}" if v == q.scale_min and ends[0] else "")
                      + (f" {ends[1]}" if v == q.scale_max and ends[1] else "") for v in points]
            item["chart"] = {"type": "bar", "labels": labels, "values": counts}
        out.append(item)
    return {"responses": total, "questions": out}


def text_answers(question: Question):
    """A text question's answers, in the order of the responses' random keys (never their order of arrival)."""
    return (SurveyAnswer.objects.filter(question=question).exclude(text="")
            .order_by("response_id").values_list("text", flat=True))


def masked_text(text: str) -> str:
    return mask_numbers(text)


def _cell(q: Question, got: list[SurveyAnswer]) -> str | int:
    if not got:
        return ""
    if q.kind == QuestionKind.TEXT:
        return mask_numbers(got[0].text)
    if q.kind == QuestionKind.SCALE:
        return got[0].value
    return "；".join(q.options[a.choice] for a in sorted(got, key=lambda a: a.choice) if a.choice < len(q.options))


def export_rows(survey: Survey, *, chunk: int = 1000) -> tuple[list[str], Iterator[list]]:
    """Headers and rows of the responses' sheet: one row per response (in the order of their random keys), one
    column per question; text answers masked where they hold what looks like an ID or a mobile number. An
    identified survey adds the member's name and the time."""
    questions = questions_of(survey)
    headers = ([_("Member"), _("Answered at")] if not survey.anonymous else [_("Answered on")]) + \
        [f"{q.position}. {q.text}" for q in questions]

    def rows():
        qs = SurveyResponse.objects.filter(survey=survey).order_by("key")
        if not survey.anonymous:
            qs = qs.select_related("person")
        last = ""
        while True:
            batch = list(qs.filter(key__gt=last)[:chunk])
            if not batch:
                return
            by_response: dict[str, dict[int, list]] = {}
            for a in SurveyAnswer.objects.filter(response__in=[r.key for r in batch]).order_by():
                by_response.setdefault(a.response_id, {}).setdefault(a.question_id, []).append(a)
            for r in batch:
                got = by_response.get(r.key, {})
                head = ([r.person.name, timezone.localtime(r.submitted_at).replace(tzinfo=None)]
                        if not survey.anonymous else [r.submitted_on])
                yield head + [_cell(q, got.get(q.pk, [])) for q in questions]
            last = batch[-1].key

    return headers, rows()


def record_export(*, actor, survey: Survey) -> None:
    actor.require("export")
    _record(actor, "survey_export", survey, responses=survey.responses, masked=True)
