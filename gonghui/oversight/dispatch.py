"""Weekly dispatch (调度) and coordination meetings (协调会).

An office opens a round for its subtree (a title, a report-by date): every owner of an open measure there owes a
progress report in it (one ``DispatchReport`` per measure, made in bulk when the round opens; the owner's next progress
report fills it). Opening a round closes the office's previous one. The round's page lists who reported and who did
not; the missing are reminded once. A measure without its report in an open round is yellow on the ledger."""

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, notify
from gonghui.orgs.models import Org

from .ledger import _text
from .models import DispatchReport, DispatchRound, Measure, MeasureState, Meeting, Problem, RoundState

CHUNK = 5000

notify.TEMPLATES.setdefault("oversight.dispatch_reminder", gettext_lazy(
    "%(org)s: %(n)s rectification measures have no progress report in %(round)s yet; report by %(due)s."))


def _date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        raise ValidationError({field: _("Enter a valid date.")}) from None


def round_open(actor, *, title, due_on) -> DispatchRound:
    actor.require("oversight.write")
    org = actor.org
    if not org.is_federation:
        raise ValidationError(_("Only a federation's office opens a dispatch round."))
    errors = {}
    try:
        title = _text(title, field="title", label=_("title"), limit=100)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        due_on = _date(due_on, "due_on")
        if due_on < timezone.localdate():
            errors["due_on"] = [_("The report-by date cannot be in the past.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        DispatchRound.objects.filter(org=org, state=RoundState.OPEN).update(state=RoundState.CLOSED, closed_at=now)
        rnd = DispatchRound.objects.create(org=org, org_path=org.path, title=title, due_on=due_on,
                                           opened_by=actor.user, opened_at=now)
        rows = (Measure.objects.filter(org_path__startswith=org.path, state=MeasureState.OPEN)
                .values_list("pk", "org_id", "org_path", "owner_id").order_by())
        batch, n = [], 0
        for pk, org_id, path, owner_id in rows.iterator(chunk_size=CHUNK):
            batch.append(DispatchReport(round=rnd, measure_id=pk, org_id=org_id, org_path=path, owner_id=owner_id,
                                        due_on=due_on))
            if len(batch) >= CHUNK:
                DispatchReport.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        DispatchReport.objects.bulk_create(batch)
        n += len(batch)
        DispatchRound.objects.filter(pk=rnd.pk).update(expected=n)
        rnd.expected = n
        audit.record(actor=actor, action="oversight.round_open", object_type="oversight.round", object_id=str(rnd.pk),
                     scope_path=org.path, details={"title": title, "due_on": due_on, "expected": n})
    return rnd


def round_list(actor):
    actor.require("oversight.view")
    return (DispatchRound.objects.filter(org_path__startswith=actor.org.path).select_related("org")
            .order_by("-opened_at"))


def round_get(actor, *, pk) -> DispatchRound:
    actor.require("oversight.view")
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    rnd = DispatchRound.objects.select_related("org").filter(pk=pk, org_path__startswith=actor.org.path).first()
    if rnd is None:
        raise Http404
    return rnd


def round_reports(actor, *, rnd: DispatchRound, reported: bool):
    """The reports of the round inside the actor's subtree, reported or not."""
    return (DispatchReport.objects.filter(round=rnd, org_path__startswith=actor.org.path,
                                          reported_at__isnull=not reported)
            .select_related("measure", "measure__problem", "org", "owner", "progress").order_by("org_path", "pk"))


def round_remind(actor, *, rnd: DispatchRound) -> int:
    """Remind the owners who have not reported, once per round (one text per unit)."""
    actor.require("oversight.write")
    actor.require_covers(rnd.org_path)
    with transaction.atomic():
        rnd = DispatchRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.state != RoundState.OPEN:
            raise ValidationError(_("The round is closed."))
        if rnd.reminded_at is not None:
            raise ValidationError(_("The missing reports have already been reminded."))
        per_org = Counter(dict(DispatchReport.objects.filter(round=rnd, reported_at__isnull=True)
                               .values_list("org_id").annotate(n=Count("id"))
                               .order_by()))
        for org in Org.objects.filter(pk__in=list(per_org)).exclude(contact_phone=""):
            notify.send_on_commit(to_phone=org.contact_phone, template="oversight.dispatch_reminder",
                                  context={"org": org.name, "round": rnd.title, "n": per_org[org.pk],
                                           "due": rnd.due_on.isoformat()})
        rnd.reminded_at = timezone.now()
        rnd.save(update_fields=["reminded_at"])
        n = sum(per_org.values())
        audit.record(actor=actor, action="oversight.round_remind", object_type="oversight.round",
                     object_id=str(rnd.pk), scope_path=rnd.org_path, details={"reminders": n})
    return n


def round_close(actor, *, rnd: DispatchRound) -> DispatchRound:
    actor.require("oversight.write")
    actor.require_covers(rnd.org_path)
    with transaction.atomic():
        n = DispatchRound.objects.filter(pk=rnd.pk, state=RoundState.OPEN).update(
            state=RoundState.CLOSED, closed_at=timezone.now())
        if not n:
            raise ValidationError(_("The round is closed."))
        audit.record(actor=actor, action="oversight.round_close", object_type="oversight.round",
                     object_id=str(rnd.pk), scope_path=rnd.org_path)
    rnd.refresh_from_db()
    return rnd


def meeting_add(actor, *, held_on, title, attendees, decisions, problems=()) -> Meeting:
    actor.require("oversight.write")
    errors = {}
    values = {}
    for field, label, limit, value in (("title", _("subject"), 100, title), ("attendees", _("attendees"), 2000,
                                                                            attendees),
                                       ("decisions", _("decisions"), 4000, decisions)):
        try:
            values[field] = _text(value, field=field, label=label, limit=limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        values["held_on"] = _date(held_on, "held_on")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    ids = {int(p.pk if isinstance(p, Problem) else p) for p in problems or ()}
    linked = list(Problem.objects.filter(pk__in=ids, org_path__startswith=actor.org.path))
    if len(linked) != len(ids):
        errors["problems"] = [_("Choose problems of your unit or the units under it.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(org=actor.org, org_path=actor.org.path, created_by=actor.user,
                                         created_at=timezone.now(), **values)
        meeting.problems.set(linked)
        audit.record(actor=actor, action="oversight.meeting_add", object_type="oversight.meeting",
                     object_id=str(meeting.pk), scope_path=actor.org.path,
                     details={"held_on": values["held_on"], "problems": len(linked)})
    return meeting


def meeting_list(actor):
    actor.require("oversight.view")
    return Meeting.objects.filter(org_path__startswith=actor.org.path).select_related("org").order_by("-held_on", "-pk")
