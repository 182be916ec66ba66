"""Field visit services (走访调研): record a visit of a unit's team — the units visited (orgs of the tree, or
enterprises not yet unionized by name and credit code), forums and the workers present, individual interviews,
questionnaires, the problems found and those solved on the spot — edit it, and put a problem found on the
problem list (source 蹲点调研) or file it as a request case.

Every write is one transaction with one audit event and the visit figures kept in step (``VisitStat``, one row per
unit on the organising unit's path and month of the visit's start).
"""

import datetime
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.casework.stats import _upsert, ancestors, month_key
from gonghui.core import audit, identity
from gonghui.core.models import Grant
from gonghui.orgs.models import Org

from .models import FieldVisit, FindingFate, VisitFinding, VisitStat, VisitUnit

COUNTS = ("forums", "forum_people", "interviews", "questionnaires", "solved")
STAT_FIELDS = ("visits", "units", "forums", "forum_people", "interviews", "questionnaires", "findings", "solved")
MAX_COUNT = 100000
MAX_UNITS = 200
MAX_FINDINGS = 100
MAX_TEXT = 5000


# --- figures kept in step ----------------------------------------------------------------------------------

def contribution(visit: FieldVisit) -> tuple[str, dict]:
    if visit.pk is None:
        return visit.org_path, {}
    values = [1, visit.units.count(), *(getattr(visit, f) for f in COUNTS[:4]), visit.findings.count(), visit.solved]
    return visit.org_path, {month_key(visit.started_on): values}


def _apply(before, after) -> None:
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(STAT_FIELDS))
    for sign, contrib in ((-1, before), (1, after)):
        if contrib is None:
            continue
        path, rows = contrib
        for unit in ancestors(path):
            for month, values in rows.items():
                d = deltas[(unit, month)]
                for i, v in enumerate(values):
                    d[i] += sign * v
    _upsert(VisitStat, ("unit", "month"), STAT_FIELDS, [(*k, *v) for k, v in sorted(deltas.items()) if any(v)])


def rebuild(paths) -> None:
    """Recompute the rows of these units over their whole subtree."""
    for path in sorted(set(paths)):
        VisitStat.objects.filter(unit=path).delete()
        rows: dict[int, list[int]] = defaultdict(lambda: [0] * len(STAT_FIELDS))
        for v in FieldVisit.objects.filter(org_path__startswith=path).prefetch_related("units", "findings"):
            _p, contrib = contribution(v)
            for month, values in contrib.items():
                rows[month] = [a + b for a, b in zip(rows[month], values, strict=True)]
        VisitStat.objects.bulk_create([VisitStat(unit=path, month=m, **dict(zip(STAT_FIELDS, v, strict=True)))
                                       for m, v in rows.items()])


def subtree_moved(old_path: str, new_path: str) -> None:
    from gonghui.members.signals import rewrite_prefix

    rewrite_prefix(FieldVisit, "org_path", old_path, new_path)
    rewrite_prefix(VisitStat, "unit", old_path, new_path)
    rebuild({*ancestors(old_path)[:-1], *ancestors(new_path)[:-1]})


# --- validation --------------------------------------------------------------------------------------------

def team_candidates(*, actor, org=None):
    """Active staff holding a role in the actor's unit or below it (a team is made of platform users). ``org``, the
    organising unit, matters only when it is not inside the actor's subtree (then its own subtree is used)."""
    org = org or actor.org
    if org.path.startswith(actor.org.path):
        org = actor.org
    grants = Grant.objects.filter(org__path__startswith=org.path, user__is_active=True)
    return get_user_model().objects.filter(pk__in=grants.values("user_id")).order_by("pk")


def _text(value, field: str, message: str, limit: int, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _count(value, field: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if not 0 <= n <= MAX_COUNT:
        raise ValidationError({field: _("Enter a number between 0 and %(n)s.") % {"n": MAX_COUNT}})
    return n


def parse_units(*, actor, text: str) -> list[tuple]:
    """Lines of the units-visited box: an org code of the actor's subtree, or an enterprise not yet unionized as
    "name credit-code". Returns [(org or None, name, uscc)]; every bad line is named in one error."""
    out, errors, seen = [], [], set()
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if len(lines) > MAX_UNITS:
        raise ValidationError({"units": _("At most %(n)s units on one visit.") % {"n": MAX_UNITS}})
    for i, line in enumerate(lines, start=1):
        org = Org.objects.filter(code=line.upper(), path__startswith=actor.org.path).first() \
            if len(line) <= 30 else None
        if org is not None:
            key = ("org", org.pk)
            item = (org, org.name, org.uscc or "")
        else:
            parts = re.split(r"[\s,，、;；]+", line)
            if len(parts) < 2:
                errors.append(_("Line %(i)s: %(v)s is not a unit code of your area; for an enterprise without a "
                                "union give its name and unified social credit code.") % {"i": i, "v": line[:40]})
                continue
            name = " ".join(parts[:-1]).strip()[:100]
            try:
                code = identity.normalize_uscc(parts[-1])
            except ValidationError as exc:
                errors.append(_("Line %(i)s: %(e)s") % {"i": i, "e": "；".join(exc.messages)})
                continue
            registered = Org.objects.filter(uscc=code).first()
            if registered is not None and registered.path.startswith(actor.org.path):
                key, item = ("org", registered.pk), (registered, registered.name, code)
            else:
                key, item = ("uscc", code), (None, name, code)
        if key in seen:
            errors.append(_("Line %(i)s: %(v)s is given twice.") % {"i": i, "v": item[1]})
            continue
        seen.add(key)
        out.append(item)
    if errors:
        raise ValidationError({"units": errors})
    if not out:
        raise ValidationError({"units": _("Name at least one unit visited.")})
    return out


def _findings(lines) -> list[str]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    out = [ln.strip() for ln in lines or () if ln and ln.strip()]
    if len(out) > MAX_FINDINGS:
        raise ValidationError({"findings": _("At most %(n)s problems on one visit.") % {"n": MAX_FINDINGS}})
    for line in out:
        if len(line) > 500:
            raise ValidationError({"findings": _("A problem found is at most %(n)s characters.") % {"n": 500}})
    return out


def _clean(actor, *, org, title, started_on, ended_on, leader, team, counts, solved_text, summary):
    title = _text(title, "title", _("Give the subject of the visit."), 200)
    if not isinstance(started_on, datetime.date):
        raise ValidationError({"started_on": _("Enter the day the visit started.")})
    ended_on = ended_on or started_on
    if ended_on < started_on:
        raise ValidationError({"ended_on": _("The visit cannot end before it starts.")})
    if started_on > timezone.localdate() + datetime.timedelta(days=366) or started_on.year < 2000:
        raise ValidationError({"started_on": _("The date is out of range.")})
    allowed = team_candidates(actor=actor, org=org)
    if leader is None or not allowed.filter(pk=leader.pk).exists():
        raise ValidationError({"leader": _("Choose the team leader among the staff of the unit.")})
    team = list(team or [])
    bad = {u.pk for u in team} - set(allowed.filter(pk__in=[u.pk for u in team]).values_list("pk", flat=True))
    if bad:
        raise ValidationError({"team": _("Choose the team among the staff of the unit.")})
    counts = {f: _count(counts.get(f), f) for f in COUNTS}
    if counts["forum_people"] and not counts["forums"]:
        raise ValidationError({"forums": _("Workers were at forums: say how many forums were held.")})
    solved_text = _text(solved_text, "solved_text", "", MAX_TEXT, required=False)
    if counts["solved"] and not solved_text:
        raise ValidationError({"solved_text": _("Say what was solved on the spot.")})
    summary = _text(summary, "summary", "", MAX_TEXT, required=False)
    return title, ended_on, team, counts, solved_text, summary


def _audit(actor, action: str, visit: FieldVisit, **details) -> None:
    audit.record(actor=actor, action=action, object_type="oversight.visit", object_id=visit.pk,
                 scope_path=visit.org_path, details={"title": visit.title, **details})


# --- services ----------------------------------------------------------------------------------------------

@transaction.atomic
def visit_create(actor, *, org=None, title, started_on, ended_on=None, leader, team=(), units, forums=0,
                 forum_people=0, interviews=0, questionnaires=0, solved=0, solved_text="", summary="",
                 findings=()) -> FieldVisit:
    """A new visit. ``units`` is the units-visited text (see ``parse_units``) or [(org|None, name, uscc)]."""
    actor.require("oversight.write")
    org = org or actor.org
    actor.require_covers(org.path)
    counts = dict(zip(COUNTS, (forums, forum_people, interviews, questionnaires, solved), strict=True))
    title, ended_on, team, counts, solved_text, summary = _clean(
        actor, org=org, title=title, started_on=started_on, ended_on=ended_on, leader=leader, team=team,
        counts=counts, solved_text=solved_text, summary=summary)
    units = parse_units(actor=actor, text=units) if isinstance(units, str) else _units_given(actor, units)
    findings = _findings(findings)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    visit = FieldVisit(org=org, org_path=org.path, title=title, started_on=started_on, ended_on=ended_on,
                       leader=leader, solved_text=solved_text, summary=summary, created_by=user, **counts)
    visit.full_clean(exclude=["created_by", "team"])
    visit.save(force_insert=True)
    visit.team.set(team)
    VisitUnit.objects.bulk_create([VisitUnit(visit=visit, unit=o, name=n, uscc=c) for o, n, c in units])
    VisitFinding.objects.bulk_create([VisitFinding(visit=visit, text=t) for t in findings])
    _apply(None, contribution(visit))
    _audit(actor, "oversight.visit_create", visit, units=len(units), findings=len(findings))
    return visit


def _units_given(actor, units) -> list[tuple]:
    out = []
    for org, name, uscc in units:
        if org is not None:
            actor.require_covers(org.path)
            out.append((org, org.name, org.uscc or ""))
        else:
            code = identity.normalize_uscc(uscc)
            out.append((None, _text(name, "units", _("Name the enterprise."), 100), code))
    if not out:
        raise ValidationError({"units": _("Name at least one unit visited.")})
    return out


@transaction.atomic
def visit_update(actor, *, visit: FieldVisit, title, started_on, ended_on=None, leader, team=(), units,
                 forums=0, forum_people=0, interviews=0, questionnaires=0, solved=0, solved_text="", summary="",
                 new_findings=()) -> FieldVisit:
    """Change a visit; findings already recorded stay (new ones are added)."""
    actor.require("oversight.write")
    actor.require_covers(visit.org_path)
    visit = FieldVisit.objects.select_for_update().get(pk=visit.pk)
    before = contribution(visit)
    counts = dict(zip(COUNTS, (forums, forum_people, interviews, questionnaires, solved), strict=True))
    title, ended_on, team, counts, solved_text, summary = _clean(
        actor, org=visit.org, title=title, started_on=started_on, ended_on=ended_on, leader=leader, team=team,
        counts=counts, solved_text=solved_text, summary=summary)
    units = parse_units(actor=actor, text=units) if isinstance(units, str) else _units_given(actor, units)
    findings = _findings(new_findings)
    if visit.findings.count() + len(findings) > MAX_FINDINGS:
        raise ValidationError({"findings": _("At most %(n)s problems on one visit.") % {"n": MAX_FINDINGS}})
    visit.title, visit.started_on, visit.ended_on, visit.leader = title, started_on, ended_on, leader
    visit.solved_text, visit.summary = solved_text, summary
    for f, v in counts.items():
        setattr(visit, f, v)
    visit.full_clean(exclude=["created_by", "team"])
    visit.save(update_fields=["title", "started_on", "ended_on", "leader", "solved_text", "summary", *COUNTS])
    visit.team.set(team)
    visit.units.all().delete()
    VisitUnit.objects.bulk_create([VisitUnit(visit=visit, unit=o, name=n, uscc=c) for o, n, c in units])
    VisitFinding.objects.bulk_create([VisitFinding(visit=visit, text=t) for t in findings])
    _apply(before, contribution(visit))
    _audit(actor, "oversight.visit_update", visit, units=len(units), findings=visit.findings.count())
    return visit


@transaction.atomic
def finding_to_problem(actor, *, finding: VisitFinding, org=None, category=None, title="", description=""):
    """Put a problem found on a visit on the problem list of ``org`` (a unit visited, or the organising unit), as a
    draft with the source 蹲点调研 and a link back to the visit."""
    from . import problems

    actor.require("oversight.write")
    visit = finding.visit
    actor.require_covers(visit.org_path)
    finding = VisitFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.fate != FindingFate.NOTED:
        raise ValidationError(_("This problem has already been followed up."))
    org = org or visit.org
    actor.require_covers(org.path)
    label = _("Field visit: %(title)s (%(on)s)") % {"title": visit.title, "on": visit.started_on.isoformat()}
    problem = problems.problem_create(actor, org=org, source_key="field_research", category=category,
                                      title=(title or finding.text)[:200], description=description or finding.text,
                                      link_kind="oversight.visit", link_id=visit.pk, link_label=label[:200])
    finding.fate, finding.link_kind, finding.link_id = FindingFate.PROBLEM, "oversight.problem", problem.pk
    finding.link_label = problem.number
    finding.save(update_fields=["fate", "link_kind", "link_id", "link_label"])
    _audit(actor, "oversight.visit_finding_problem", visit, problem=problem.number)
    return problem
