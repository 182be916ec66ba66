"""Evaluation polls: set up, hand out codes (printed or sent), vote, close and count, publish, verify.

Nothing here records, logs or audits a single vote or a code: the audit trail gets the poll's events and counts.
A vote is ``vote_cast`` with the code alone (no login): it deletes the code's row and inserts the ballot, in one
transaction that writes nothing else (see models/polls.py for why).
"""

import datetime
import random
import secrets
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, crypto, notify

from .models import (
    GRADES,
    Ballot,
    CriteriaSet,
    Electorate,
    Poll,
    PollKind,
    PollRecipient,
    PollState,
    Scale,
    Subject,
    VotingCode,
)

# Codes: 16 symbols of a 32-letter alphabet without look-alikes (80 bits; guessing one is hopeless), shown in
# groups of four. Tracking codes (receipts): 12 letters, no digits (a board refuses long runs of digits).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12
MAX_SUBJECTS = 40
MAX_CRITERIA = 12
MAX_CODES = 50000

notify.TEMPLATES["democracy.voting_code"] = gettext_lazy(
    "Your voting code for \"%(poll)s\" is %(vote_code)s. Open the workers' service page, choose Vote and enter it "
    "before %(closes)s. It works once: do not pass it on.")
notify.SECRET_KEYS.add("vote_code")



def _user(actor):
    return actor.user if actor.user is not None and getattr(actor.user, "is_authenticated", False) else None


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def clean_code(text: str) -> str:
    """A typed or scanned code in its canonical form (case, spaces and dashes forgiven), or ""."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(code: str) -> str:
    return crypto.blind_index(code, kind="voting_code")


def _new_tracking() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_tracking(tracking: str) -> str:
    return "-".join(tracking[i:i + 4] for i in range(0, len(tracking), 4))


def clean_tracking(text: str) -> str:
    raw = "".join(ch for ch in (text or "").upper() if ch.isalpha())
    return raw if len(raw) == TRACKING_LENGTH and all(ch in TRACKING_ALPHABET for ch in raw) else ""


# --- criteria sets ---------------------------------------------------------------------------------------------

def _criteria_lines(criteria) -> list[str]:
    lines = criteria.splitlines() if isinstance(criteria, str) else list(criteria or [])
    lines = [str(line).strip() for line in lines if str(line).strip()]
    if not lines:
        raise ValidationError({"criteria": _("Enter at least one criterion, one per line.")})
    if len(lines) > MAX_CRITERIA:
        raise ValidationError({"criteria": _("At most %(n)s criteria.") % {"n": MAX_CRITERIA}})
    if any(len(line) > 120 for line in lines):
        raise ValidationError({"criteria": _("A criterion has at most 120 characters.")})
    if len(set(lines)) != len(lines):
        raise ValidationError({"criteria": _("Each criterion appears once.")})
    return lines


@transaction.atomic
def criteria_set_create(*, actor, name: str, scale: str, criteria) -> CriteriaSet:
    actor.require("democracy.settings")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the set a name.")})
    if scale not in Scale.values:
        raise ValidationError({"scale": _("Choose a scale.")})
    if CriteriaSet.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A set of this name exists already.")})
    cs = CriteriaSet(name=name[:60], scale=scale, criteria=_criteria_lines(criteria))
    cs.full_clean()
    cs.save()
    audit.record(actor=actor, action="democracy.criteria_create", object_type="democracy.criteria",
                 object_id=cs.pk, details={"name": cs.name, "criteria": len(cs.criteria)})
    return cs


# --- polls -----------------------------------------------------------------------------------------------------

def _subjects(subjects) -> list[tuple[str, str]]:
    """Lines "name" or "name，post" (a Chinese or Latin comma, or a tab)."""
    lines = subjects.splitlines() if isinstance(subjects, str) else list(subjects or [])
    out = []
    for line in lines:
        line = str(line).strip()
        if not line:
            continue
        for sep in ("，", ",", "\t"):
            if sep in line:
                name, role = line.split(sep, 1)
                break
        else:
            name, role = line, ""
        name, role = name.strip(), role.strip()
        if not name or len(name) > 60 or len(role) > 60:
            raise ValidationError({"subjects": _("Each line is a name (at most 60 characters), optionally a comma "
                                                 "and the post.")})
        out.append((name, role))
    if not out:
        raise ValidationError({"subjects": _("Name at least one person, team or union to evaluate.")})
    if len(out) > MAX_SUBJECTS:
        raise ValidationError({"subjects": _("At most %(n)s subjects in one poll.") % {"n": MAX_SUBJECTS}})
    return out


@transaction.atomic
def poll_create(*, actor, org, kind: str, title: str, criteria_set: CriteriaSet, subjects, electorate: str,
                opens_at: datetime.datetime, closes_at: datetime.datetime, electorate_org=None,
                electorate_size: int = 0, allow_comment: bool = False, turnout: tuple[int, int] = (2, 3),
                flag: tuple[int, int] = (1, 3)) -> Poll:
    actor.require("democracy.write")
    actor.require_covers(org.path)
    errors = {}
    if kind not in PollKind.values:
        errors["kind"] = _("Choose the kind of evaluation.")
    if electorate not in Electorate.values:
        errors["electorate"] = _("Choose who votes.")
    if not (title or "").strip():
        errors["title"] = _("Give the poll a title.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("Voting must close after it opens.")
    elif closes_at <= timezone.now():
        errors["closes_at"] = _("Voting must close in the future.")
    elif closes_at - opens_at > datetime.timedelta(days=90):
        errors["closes_at"] = _("A poll is open for at most 90 days.")
    if electorate == Electorate.ON_SITE and not (isinstance(electorate_size, int) and 1 <= electorate_size
                                                 <= MAX_CODES):
        errors["electorate_size"] = _("Enter the number of voters on site (1 to %(n)s).") % {"n": MAX_CODES}
    if electorate == Electorate.MEMBERS:
        if electorate_org is None:
            errors["electorate_org"] = _("Choose the union whose members vote.")
        elif not electorate_org.path.startswith(org.path):
            errors["electorate_org"] = _("The voters must be members of the union running the poll or below it.")
    for field, (num, den) in (("turnout", turnout), ("flag", flag)):
        if not (isinstance(num, int) and isinstance(den, int) and 0 < num <= den <= 100):
            errors[field] = _("Enter a fraction such as 2/3.")
    if errors:
        raise ValidationError(errors)
    subjects = _subjects(subjects)
    poll = Poll(org=org, org_path=org.path, kind=kind, title=title.strip()[:100], scale=criteria_set.scale,
                criteria=list(criteria_set.criteria), allow_comment=bool(allow_comment), electorate=electorate,
                electorate_org=electorate_org if electorate == Electorate.MEMBERS else None,
                electorate_size=electorate_size if electorate == Electorate.ON_SITE else 0,
                opens_at=opens_at, closes_at=closes_at, turnout_num=turnout[0], turnout_den=turnout[1],
                flag_num=flag[0], flag_den=flag[1], created_by=_user(actor))
    poll.full_clean()
    poll.save()
    Subject.objects.bulk_create([Subject(poll=poll, position=i, name=n, role=r)
                                 for i, (n, r) in enumerate(subjects, start=1)])
    audit.record(actor=actor, action="democracy.poll_create", object_type="democracy.poll", object_id=poll.pk,
                 scope_path=org.path, details={"kind": kind, "electorate": electorate, "subjects": len(subjects),
                                               "criteria": len(poll.criteria)})
    return poll


def _lock(actor, poll: Poll, perm: str = "democracy.write") -> Poll:
    actor.require(perm)
    actor.require_covers(poll.org_path)
    return Poll.objects.select_for_update().get(pk=poll.pk)


def _insert_codes(poll: Poll, units: list) -> list[str]:
    """New codes, one per entry of ``units`` (the unit each goes to, or None), written in a random order."""
    codes = [new_code() for _ in units]
    rows = [VotingCode(hash=code_hash(c), poll=poll, unit=u) for c, u in zip(codes, units, strict=True)]
    random.SystemRandom().shuffle(rows)
    VotingCode.objects.bulk_create(rows, batch_size=2000)
    return codes


@transaction.atomic
def codes_print(*, actor, poll: Poll, count: int) -> list[str]:
    """``count`` new codes for slips drawn at random by the voters in the room. They are returned once, to be
    printed now: only their hashes are kept."""
    poll = _lock(actor, poll)
    if poll.electorate != Electorate.ON_SITE:
        raise ValidationError(_("This poll's codes are sent to its voters, not printed."))
    if poll.state in (PollState.CLOSED, PollState.PUBLISHED) or poll.closes_at <= timezone.now():
        raise ValidationError(_("Voting has closed: no more codes."))
    left = poll.electorate_size - poll.codes_issued
    if not isinstance(count, int) or count < 1:
        raise ValidationError({"count": _("Enter how many codes to print.")})
    if count > left:
        raise ValidationError({"count": _("%(i)s codes of %(n)s voters are printed already: at most %(l)s more.")
                               % {"i": poll.codes_issued, "n": poll.electorate_size, "l": left}})
    codes = _insert_codes(poll, [None] * count)
    poll.codes_issued += count
    if poll.state == PollState.DRAFT:
        poll.state = PollState.OPEN
    poll.save(update_fields=["codes_issued", "state"])
    audit.record(actor=actor, action="democracy.codes_print", object_type="democracy.poll", object_id=poll.pk,
                 scope_path=poll.org_path, details={"count": count, "issued": poll.codes_issued})
    return codes


def electorate_people(poll: Poll, *, delegates=None):
    """(person, unit) of each voter a code goes to: the active members of the electorate's union and below."""
    from gonghui.members.models import Membership

    qs = Membership.objects.filter(status="active").select_related("person", "union")
    if poll.electorate == Electorate.MEMBERS:
        return qs.filter(org_path__startswith=poll.electorate_org.path)
    return qs.filter(person__in=delegates or [])


@dataclass
class Sent:
    sent: int
    no_phone: int
    already: int


@transaction.atomic
def codes_send(*, actor, poll: Poll, delegates=None) -> Sent:
    """Send a code to each voter of the electorate who has none yet (members of the subtree, or the given
    delegates: persons of the registry who are active members under the poll's union). Each is told by the
    notification backend once the transaction commits; the code is in the message only."""
    poll = _lock(actor, poll)
    if poll.electorate == Electorate.ON_SITE:
        raise ValidationError(_("This poll's codes are printed for the voters on site."))
    if poll.state in (PollState.CLOSED, PollState.PUBLISHED) or poll.closes_at <= timezone.now():
        raise ValidationError(_("Voting has closed: no more codes."))
    memberships = list(electorate_people(poll, delegates=delegates))
    if poll.electorate == Electorate.DELEGATES:
        outside = [m for m in memberships if not m.org_path.startswith(poll.org_path)]
        if outside or len(memberships) != len({getattr(p, "pk", p) for p in delegates or []}):
            raise ValidationError({"delegates": _("Every delegate must be an active member of a union under "
                                                  "%(org)s.") % {"org": poll.org.name}})
    if len(memberships) > MAX_CODES:
        raise ValidationError(_("%(n)s voters are more than one sending can reach (at most %(m)s): run the poll "
                                "in smaller unions.") % {"n": len(memberships), "m": MAX_CODES})
    done = set(PollRecipient.objects.filter(poll=poll).values_list("person_id", flat=True))
    todo = [m for m in memberships if m.person_id not in done and m.person.phone]
    no_phone = sum(1 for m in memberships if m.person_id not in done and not m.person.phone)
    codes = _insert_codes(poll, [m.union for m in todo])
    PollRecipient.objects.bulk_create([PollRecipient(poll=poll, person=m.person, unit=m.union) for m in todo],
                                      batch_size=2000)
    closes = timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M")
    for m, code in zip(todo, codes, strict=True):
        notify.send_on_commit(to_phone=m.person.phone, template="democracy.voting_code",
                              context={"poll": poll.title, "vote_code": code, "closes": closes})
    poll.codes_issued += len(todo)
    poll.electorate_size = PollRecipient.objects.filter(poll=poll).count() + no_phone
    if poll.state == PollState.DRAFT and todo:
        poll.state = PollState.OPEN
    poll.save(update_fields=["codes_issued", "electorate_size", "state"])
    audit.record(actor=actor, action="democracy.codes_send", object_type="democracy.poll", object_id=poll.pk,
                 scope_path=poll.org_path, details={"sent": len(todo), "no_phone": no_phone,
                                                   "already": len(done)})
    return Sent(sent=len(todo), no_phone=no_phone, already=len(done))


# --- voting ----------------------------------------------------------------------------------------------------

def _is_open(poll: Poll, now=None) -> bool:
    now = now or timezone.now()
    return poll.state == PollState.OPEN and poll.opens_at <= now < poll.closes_at


def poll_for_code(code: str) -> Poll | None:
    """The open poll a valid, unused code belongs to (None otherwise: the caller says "invalid or used")."""
    code = clean_code(code)
    if not code:
        return None
    row = VotingCode.objects.filter(hash=code_hash(code)).select_related("poll", "poll__org").first()
    return row.poll if row is not None and _is_open(row.poll) else None


def encode_answers(poll: Poll, answers: dict, subjects: list[Subject]) -> str:
    """``answers`` maps (subject position, criterion index from 0) to a grade's text: one character per cell."""
    grades = GRADES[poll.scale]
    out = []
    for s in subjects:
        for ci in range(len(poll.criteria)):
            grade = answers.get((s.position, ci))
            if grade not in grades:
                raise ValidationError(_("Rate every subject on every criterion before casting the ballot."))
            out.append(str(grades.index(grade) + 1))
    return "".join(out)


def vote_cast(*, code: str, answers, comment: str = "") -> str:
    """Cast a ballot with a code; returns the tracking code (the receipt). ``answers`` maps (subject position,
    criterion index) to a grade's text, or is a function of (poll, subjects) giving that map (the voting page's, so
    that the poll is read once). The code is deleted: a second use finds nothing. Raises ValidationError (in
    Chinese) for a code that is invalid, used or of a closed poll (its code is "refused"), or for missing answers."""
    code = clean_code(code)
    refused = ValidationError(_("This code is not valid, was used already, or its poll is not open."), code="refused")
    if not code:
        raise refused
    with transaction.atomic():
        # Deleting the code is the check that it is valid and unused: a second use, or a concurrent vote with the
        # same code, deletes nothing. Anything refused below rolls the deletion back.
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {VotingCode._meta.db_table} WHERE hash = %s RETURNING poll_id",  # noqa: S608
                        [code_hash(code)])
            row = cur.fetchone()
        if row is None:
            raise refused
        poll = Poll.objects.get(pk=row[0])
        if not _is_open(poll):
            raise refused
        subjects = list(Subject.objects.filter(poll=poll).order_by("position"))
        encoded = encode_answers(poll, answers(poll, subjects) if callable(answers) else answers, subjects)
        comment = (comment or "").strip()[:500] if poll.allow_comment else ""
        while True:
            tracking = _new_tracking()
            if not Ballot.objects.filter(tracking=tracking).exists():
                break
        Ballot.objects.create(tracking=tracking, poll=poll, answers=encoded, comment=comment)
    return tracking


# --- closing, counting, publishing ---------------------------------------------------------------------------

def _answers_joined(poll: Poll, cells: int) -> tuple[int, str] | None:
    """The poll's ballot count and all their answer strings joined, read in one statement (a million ballots are
    15 MB, not a million rows crossing into Python); None when some answer string is not ``cells`` long (the
    count then goes ballot by ballot, and ``verify`` reports the malformed ones)."""
    join = "string_agg(answers, '')" if connection.vendor == "postgresql" else "group_concat(answers, '')"
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), {join} FROM {Ballot._meta.db_table} WHERE poll_id = %s",  # noqa: S608
                    [poll.pk])
        n, text = cur.fetchone()
    text = text or ""
    return (n, text) if len(text) == n * cells else None


def tally(poll: Poll, ballots=None) -> dict:
    """Count the poll's ballots (or the given answer strings): per subject, per criterion, the count of each
    grade and its rate; the flag and validity rules applied."""
    subjects = list(Subject.objects.filter(poll=poll).order_by("position"))
    n_crit = len(poll.criteria)
    grades = GRADES[poll.scale]
    cells = len(subjects) * n_crit
    counts = [Counter() for _ in range(cells)]
    joined = _answers_joined(poll, cells) if ballots is None else None
    if joined is not None:
        # Every ballot's answers in one string, ballot after ballot: cell i of every ballot is joined[i::cells].
        total, text = joined
        for i in range(cells):
            column = text[i::cells]
            for g in range(len(grades)):
                counts[i][str(g + 1)] = column.count(str(g + 1))
    else:
        if ballots is None:
            ballots = Ballot.objects.filter(poll=poll).values_list("answers", flat=True).iterator(chunk_size=5000)
        total = 0
        for answers, n in Counter(ballots).items():  # identical answer strings are common: count them once
            total += n
            for i, ch in enumerate(answers):
                counts[i][ch] += n
    turnout_ok = poll.electorate_size > 0 and total * poll.turnout_den >= poll.turnout_num * poll.electorate_size
    out_subjects = []
    for si, s in enumerate(subjects):
        rows = []
        flagged = False
        for ci, criterion in enumerate(poll.criteria):
            cell = counts[si * n_crit + ci]
            row = {"criterion": criterion, "counts": [cell.get(str(g + 1), 0) for g in range(len(grades))]}
            row["rates"] = [round(100 * c / total, 1) if total else 0 for c in row["counts"]]
            row["flag"] = bool(total) and row["counts"][-1] * poll.flag_den > poll.flag_num * total
            flagged = flagged or row["flag"]
            rows.append(row)
        out_subjects.append({"position": s.position, "name": s.name, "role": s.role, "criteria": rows,
                             "flag": flagged})
    return {"grades": list(grades), "ballots": total, "electorate": poll.electorate_size,
            "turnout": round(100 * total / poll.electorate_size, 1) if poll.electorate_size else None,
            "valid": turnout_ok, "subjects": out_subjects}


def _unit_turnout(poll: Poll) -> list[dict]:
    """Sent and used codes by unit (sent codes only): used = sent − still unused."""
    from gonghui.orgs.models import Org

    sent = dict(PollRecipient.objects.filter(poll=poll).values("unit").annotate(n=Count("pk"))
                .values_list("unit", "n"))
    unused = dict(VotingCode.objects.filter(poll=poll, unit__isnull=False).values("unit").annotate(n=Count("pk"))
                  .values_list("unit", "n"))
    names = dict(Org.objects.filter(pk__in=sent).values_list("pk", "name"))
    return [{"unit": names.get(u, ""), "sent": n, "voted": n - unused.get(u, 0),
             "rate": round(100 * (n - unused.get(u, 0)) / n, 1) if n else 0}
            for u, n in sorted(sent.items(), key=lambda kv: names.get(kv[0], ""))]


@transaction.atomic
def poll_close(*, actor, poll: Poll, now=None) -> Poll:
    """Close voting (early, or when its time is up: the tick does it then), count, and void the unused codes."""
    if actor.grant is not None:
        poll = _lock(actor, poll)
    else:
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state not in (PollState.DRAFT, PollState.OPEN):
        raise ValidationError(_("This poll is closed already."))
    now = now or timezone.now()
    result = tally(poll)
    result["units"] = _unit_turnout(poll)
    poll.codes_unused = VotingCode.objects.filter(poll=poll).count()
    VotingCode.objects.filter(poll=poll).delete()
    poll.ballots = result["ballots"]
    poll.result, poll.state, poll.closed_at = result, PollState.CLOSED, now
    if poll.closes_at > now:
        poll.closes_at = now if now > poll.opens_at else poll.opens_at + datetime.timedelta(seconds=1)
    poll.save(update_fields=["codes_unused", "ballots", "result", "state", "closed_at", "closes_at"])
    audit.record(actor=actor, action="democracy.poll_close", object_type="democracy.poll", object_id=poll.pk,
                 scope_path=poll.org_path, details={"ballots": poll.ballots, "codes_issued": poll.codes_issued,
                                                   "codes_unused": poll.codes_unused, "valid": result["valid"]})
    return poll


def polls_tick(*, now=None) -> dict:
    """The tick (``gonghui tick``): close and count every poll whose voting time is up, and close the surveys
    whose window is over."""
    from .surveys import close_due as surveys_close_due

    return {"closed": close_due(now=now), "surveys_closed": surveys_close_due(now=now)}


def close_due(*, now=None) -> int:
    """Close every open poll whose time is up."""
    from gonghui.core.access import SYSTEM

    now = now or timezone.now()
    n = 0
    for poll in Poll.objects.filter(state__in=[PollState.OPEN, PollState.DRAFT], closes_at__lte=now):
        poll_close(actor=SYSTEM, poll=poll, now=now)
        n += 1
    return n


@transaction.atomic
def poll_publish(*, actor, poll: Poll, board: bool = False, days: int = 30) -> Poll:
    """Publish the tally and the list of ballots to the electorate (the poll's public result page), and on the
    union's public board when asked."""
    poll = _lock(actor, poll)
    if poll.state != PollState.CLOSED:
        raise ValidationError(_("Only a closed, counted poll can be published."))
    poll.state, poll.published_at = PollState.PUBLISHED, timezone.now()
    poll.save(update_fields=["state", "published_at"])
    if board:
        from .board import tally_publish

        tally_publish(actor=actor, poll=poll, days=days)
    audit.record(actor=actor, action="democracy.poll_publish", object_type="democracy.poll", object_id=poll.pk,
                 scope_path=poll.org_path, details={"board": bool(board), "ballots": poll.ballots})
    return poll


def ballot_find(poll: Poll, tracking: str) -> Ballot | None:
    tracking = clean_tracking(tracking)
    if not tracking or poll.state != PollState.PUBLISHED:
        return None
    return Ballot.objects.filter(poll=poll, tracking=tracking).first()


def decode(poll: Poll, answers: str, subjects: list[Subject]) -> list[tuple[str, list[str]]]:
    grades = GRADES[poll.scale]
    n = len(poll.criteria)
    return [(s.name, [grades[int(answers[si * n + ci]) - 1] for ci in range(n)]) for si, s in enumerate(subjects)]


@dataclass
class Verification:
    ok: bool
    lines: list[str]


def verify(poll: Poll) -> Verification:
    """Recount the ballots and check: the recount equals the stored tally; ballots = codes used; every ballot's
    answers are well formed for this poll."""
    lines, ok = [], True
    if poll.state not in (PollState.CLOSED, PollState.PUBLISHED):
        return Verification(False, [_("The poll is not closed yet: nothing to verify.")])
    subjects = Subject.objects.filter(poll=poll).count()
    cells = subjects * len(poll.criteria)
    top = len(GRADES[poll.scale])
    answers = list(Ballot.objects.filter(poll=poll).values_list("answers", flat=True))
    bad = sum(1 for a in answers if len(a) != cells or any(not ("1" <= ch <= str(top)) for ch in a))
    lines.append(_("Ballots: %(n)s.") % {"n": len(answers)})
    if bad:
        ok = False
        lines.append(_("%(n)s ballots are not well formed.") % {"n": bad})
    used = poll.codes_issued - poll.codes_unused
    if used == len(answers):
        lines.append(_("Codes used: %(n)s, equal to the ballots.") % {"n": used})
    else:
        ok = False
        lines.append(_("Codes used: %(u)s, but %(n)s ballots.") % {"u": used, "n": len(answers)})
    recount = tally(poll, ballots=answers) if not bad else None
    stored = {k: v for k, v in poll.result.items() if k != "units"}
    if recount is not None and recount == stored:
        lines.append(_("The recount equals the published tally."))
    elif recount is not None:
        ok = False
        lines.append(_("The recount differs from the stored tally."))
    return Verification(ok, lines)


def subjects_of(poll: Poll) -> list[Subject]:
    return list(Subject.objects.filter(poll=poll).order_by("position"))


def tally_view(result: dict) -> list[dict]:
    """The tally's subjects for a page: each with a bar chart of its grades over all criteria."""
    out = []
    for s in (result or {}).get("subjects", []):
        totals = [sum(c["counts"][g] for c in s["criteria"]) for g in range(len(result["grades"]))]
        out.append({**s, "key": f"tally-chart-{s['position']}",
                    "spec": {"type": "bar", "labels": result["grades"], "values": totals}})
    return out
