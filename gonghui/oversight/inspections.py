"""Inspection services (督导): a unit's team opens a round over units of its subtree and issues 工作提示 and
督导反馈单 items, each to one unit which must answer by a date. Items are tracked like measures with the shared
supervision scheme (kind "inspection"): blue when the answer is due soon, red when overdue; an overdue item rises
to the parent of the unit holding it (``inspections_tick`` in ``tasks_visits``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, supervision
from gonghui.orgs.models import Org

from .models import InspectionItem, InspectionRound, ItemKind, ItemState
from .visits import team_candidates

KIND = "inspection"
supervision.register_kind(KIND, label=gettext_lazy("Inspection item"), perm="oversight.view",
                          blue_within=3, remind_before=3, url_name="oversight:inspection_item")
MAX_UNITS = 500


def _text(value, field, message, limit, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def parse_unit_codes(*, actor, org, text) -> list[Org]:
    """Unit codes, one a line, each strictly below the inspecting unit and inside the actor's subtree."""
    codes = [c.strip().upper() for c in (text or "").replace("，", "\n").replace(",", "\n").splitlines() if c.strip()]
    if not codes:
        raise ValidationError({"units": _("Name at least one unit inspected.")})
    if len(codes) > MAX_UNITS:
        raise ValidationError({"units": _("At most %(n)s units in one round.") % {"n": MAX_UNITS}})
    found = {o.code: o for o in Org.objects.filter(code__in=[c[:30] for c in codes], path__startswith=org.path)
             .exclude(pk=org.pk) if o.path.startswith(actor.org.path)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({"units": _("Not units under the inspecting unit: %(codes)s") % {
            "codes": "、".join(c[:30] for c in missing[:10])}})
    return list(dict.fromkeys(found[c] for c in codes))


def _clean_round(actor, *, org, title, started_on, ended_on, leader, team, units, methods):
    title = _text(title, "title", _("Name the round."), 200)
    if not isinstance(started_on, datetime.date) or started_on.year < 2000:
        raise ValidationError({"started_on": _("Enter the day the round starts.")})
    ended_on = ended_on or started_on
    if ended_on < started_on:
        raise ValidationError({"ended_on": _("The round cannot end before it starts.")})
    allowed = team_candidates(actor=actor, org=org)
    if leader is None or not allowed.filter(pk=leader.pk).exists():
        raise ValidationError({"leader": _("Choose the team leader among the staff of the unit.")})
    team = list(team or [])
    if allowed.filter(pk__in=[u.pk for u in team]).count() != len({u.pk for u in team}):
        raise ValidationError({"team": _("Choose the team among the staff of the unit.")})
    if isinstance(units, str):
        units = parse_unit_codes(actor=actor, org=org, text=units)
    else:
        units = list(units)
        for u in units:
            actor.require_covers(u.path)
            if not u.path.startswith(org.path) or u.pk == org.pk:
                raise ValidationError({"units": _("Not units under the inspecting unit: %(codes)s") % {
                    "codes": u.code}})
        if not units:
            raise ValidationError({"units": _("Name at least one unit inspected.")})
    methods = _text(methods, "methods", "", 200, required=False)
    return title, ended_on, team, units, methods


def _audit(actor, action, obj, object_type, path, **details):
    audit.record(actor=actor, action=action, object_type=object_type, object_id=obj.pk, scope_path=path,
                 details=details)


@transaction.atomic
def round_create(actor, *, org=None, title, started_on, ended_on=None, leader, team=(), units,
                 methods="") -> InspectionRound:
    actor.require("oversight.write")
    org = org or actor.org
    actor.require_covers(org.path)
    title, ended_on, team, units, methods = _clean_round(actor, org=org, title=title, started_on=started_on,
                                                         ended_on=ended_on, leader=leader, team=team, units=units,
                                                         methods=methods)
    rnd = InspectionRound(org=org, org_path=org.path, title=title, started_on=started_on, ended_on=ended_on,
                          leader=leader, methods=methods, created_by=_user(actor))
    rnd.full_clean(exclude=["created_by", "team", "units"])
    rnd.save(force_insert=True)
    rnd.team.set(team)
    rnd.units.set(units)
    _audit(actor, "oversight.inspection_create", rnd, "oversight.inspection", rnd.org_path, title=title,
           units=len(units))
    return rnd


@transaction.atomic
def round_update(actor, *, round: InspectionRound, title, started_on, ended_on=None, leader, team=(), units,
                 methods="") -> InspectionRound:
    actor.require("oversight.write")
    actor.require_covers(round.org_path)
    rnd = InspectionRound.objects.select_for_update().get(pk=round.pk)
    title, ended_on, team, units, methods = _clean_round(actor, org=rnd.org, title=title, started_on=started_on,
                                                         ended_on=ended_on, leader=leader, team=team, units=units,
                                                         methods=methods)
    issued = set(rnd.items.values_list("unit_id", flat=True))
    if issued - {u.pk for u in units}:
        raise ValidationError({"units": _("A unit that has items of this round stays in it.")})
    rnd.title, rnd.started_on, rnd.ended_on, rnd.leader, rnd.methods = title, started_on, ended_on, leader, methods
    rnd.save(update_fields=["title", "started_on", "ended_on", "leader", "methods"])
    rnd.team.set(team)
    rnd.units.set(units)
    _audit(actor, "oversight.inspection_update", rnd, "oversight.inspection", rnd.org_path, title=title,
           units=len(units))
    return rnd


@transaction.atomic
def item_issue(actor, *, round: InspectionRound, kind: str, unit, title, content, due_on,
               issued_on=None) -> InspectionItem:
    """A 工作提示 or 督导反馈单 to one unit of the round, answered by ``due_on``."""
    actor.require("oversight.write")
    actor.require_covers(round.org_path)
    rnd = InspectionRound.objects.select_for_update().get(pk=round.pk)
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose a work prompt or an inspection feedback form.")})
    if unit is None or not rnd.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose one of the units inspected in this round.")})
    title = _text(title, "title", _("Give the subject."), 200)
    content = _text(content, "content", _("Write what the unit must do or answer."), 5000)
    issued_on = issued_on or timezone.localdate()
    if not isinstance(due_on, datetime.date):
        raise ValidationError({"due_on": _("Enter the day the answer is due.")})
    if due_on < issued_on:
        raise ValidationError({"due_on": _("The answer cannot be due before the item is issued.")})
    seq = rnd.items.filter(kind=kind).count() + 1
    prefix = "TS" if kind == ItemKind.PROMPT else "FK"
    item = InspectionItem(round=rnd, kind=kind, unit=unit, org_path=unit.path, number=f"{prefix}{rnd.pk}-{seq:03d}",
                          title=title, content=content, issued_on=issued_on, due_on=due_on)
    item.full_clean()
    item.save(force_insert=True)
    _audit(actor, "oversight.inspection_item_issue", item, "oversight.inspection_item", item.org_path,
           kind=kind, number=item.number, unit=unit.code, due_on=due_on.isoformat())
    return item


@transaction.atomic
def item_answer(actor, *, item: InspectionItem, answer: str) -> InspectionItem:
    """The unit's answer (a unit above it may record it too); an answered item leaves the supervision list."""
    actor.require("oversight.write")
    actor.require_covers(item.org_path)
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.state == ItemState.ANSWERED:
        raise ValidationError(_("This item has already been answered."))
    item.answer = _text(answer, "answer", _("Write the answer."), 5000)
    item.state, item.answered_at, item.answered_by = ItemState.ANSWERED, timezone.now(), _user(actor)
    item.save(update_fields=["answer", "state", "answered_at", "answered_by"])
    supervision.resolve_items(kind=KIND, object_ids=[item.pk])
    _audit(actor, "oversight.inspection_item_answer", item, "oversight.inspection_item", item.org_path,
           number=item.number)
    return item


def item_color(item: InspectionItem, today: datetime.date | None = None) -> str:
    if item.state == ItemState.ANSWERED:
        return ""
    today = today or timezone.localdate()
    return supervision.color_for(due_on=item.due_on, today=today, stalled=False,
                                 blue_within=supervision.thresholds(KIND).blue_within)
