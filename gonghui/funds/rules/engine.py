"""Running the rules: the settings that apply where, the full scan of a subtree, the incremental scan of what is new
since the last one, and turning what the rules found into alerts without ever duplicating one."""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.access import SYSTEM
from gonghui.funds.books import year_checked
from gonghui.funds.models import (
    Alert,
    AlertEvent,
    AlertLine,
    AlertState,
    CustomRule,
    HolidayGiftCap,
    RuleKey,
    RuleSettings,
    ScanMark,
    VoucherLine,
)
from gonghui.funds.models.rules import (
    BUILT_IN,
    DEFAULT_BANNED_WORDS,
    DEFAULT_CASH_LIMIT,
    DEFAULT_GIFT_CAP,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_DAYS,
)

from . import builtin, fast
from .builtin import Hit, Params, Region, yuan
from .custom import compile_rule, describe

CHUNK = 500
SAVE_CHUNK = 2000
# Rules over a window of a union's lines (a group, a running total): rerun over the touched unions' whole year.
WINDOWED = [RuleKey.SPLIT_PURCHASE, RuleKey.HOLIDAY_GIFT_CAP, RuleKey.OVER_BUDGET]
DEFAULTS = Params(threshold=DEFAULT_THRESHOLD, window_days=DEFAULT_WINDOW_DAYS, cash_limit=DEFAULT_CASH_LIMIT,
                  words=list(DEFAULT_BANNED_WORDS), gift_cap=DEFAULT_GIFT_CAP)


@dataclass
class ScanResult:
    rules: list[str] = field(default_factory=list)
    found: int = 0  # alerts the rules found (new or already raised)
    created: int = 0
    reopened: int = 0
    cleared: int = 0  # open alerts no longer found by a full scan
    lines: int = 0  # flagged lines
    by_rule: dict = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"rules": self.rules, "found": self.found, "created": self.created, "reopened": self.reopened,
                "cleared": self.cleared, "lines": self.lines, "by_rule": self.by_rule,
                "seconds": round(self.seconds, 3)}


def _params_of(row: RuleSettings | None) -> Params:
    if row is None:
        return Params(**{**DEFAULTS.__dict__, "words": list(DEFAULTS.words)})
    return Params(threshold=row.threshold, window_days=row.window_days, cash_limit=row.cash_limit,
                  words=row.words, gift_cap=DEFAULT_GIFT_CAP)


def _regions(root: str, valued: dict[str, object], default) -> list[tuple[str, tuple[str, ...], object]]:
    """Split the subtree at ``root`` by the paths that carry their own value (settings, a cap): each region is
    (prefix, deeper prefixes to leave out, value). A union takes the value of its nearest such path above it."""
    above = [p for p in valued if root.startswith(p)]
    base = valued[max(above, key=len)] if above else default
    inside = sorted(p for p in valued if p.startswith(root) and p != root)
    out = [(root, tuple(inside), base)]
    for p in inside:
        out.append((p, tuple(q for q in inside if q.startswith(p) and q != p), valued[p]))
    return out


def settings_regions(root: str) -> list[tuple[str, tuple[str, ...], RuleSettings | None]]:
    rows = {r.org_path: r for r in RuleSettings.objects.filter(
        Q(org_path__startswith=root) | Q(org_path__in=_ancestors(root)))}
    return _regions(root, rows, None)


def gift_cap_regions(root: str, year: int) -> list[tuple[str, tuple[str, ...], Decimal]]:
    """The cap in force for the year (the latest row from on or before 31 December) by federation."""
    caps: dict[str, Decimal] = {}
    latest: dict[str, datetime.date] = {}
    for path, start, amount in HolidayGiftCap.objects.filter(
            Q(org_path__startswith=root) | Q(org_path__in=_ancestors(root)),
            effective_from__lte=datetime.date(year, 12, 31)).values_list("org_path", "effective_from", "amount"):
        if path not in latest or start > latest[path]:
            latest[path], caps[path] = start, amount
    return _regions(root, caps, DEFAULT_GIFT_CAP)


def settings_for(org) -> RuleSettings | None:
    """The settings a union uses: its nearest federation's (itself included) that has a row, else None (defaults)."""
    return RuleSettings.objects.filter(org_path__in=_ancestors(org.path)).order_by("-org_path").first()


def _ancestors(path: str, step: int = 4) -> list[str]:
    return [path[:i] for i in range(step, len(path) + 1, step)]


def big_sql(paths: tuple[str, ...] = ()) -> bool:
    """Whether the scan takes the PostgreSQL path (``fast``: about one read of the lines for every rule, the new
    lines' neighbours by index). SQLite runs ``builtin``, rule by rule, with the same findings."""
    return connection.vendor == "postgresql" and not paths


def _hits_for(root: str, year: int, rules: list[str], *, paths: tuple[str, ...] = (),
              new_ids: tuple[int, int] | None = None, today: datetime.date) -> dict[str, list[Hit]]:
    """Every hit of ``rules`` for the year, by rule, region by region of the settings."""
    found: dict[str, list[Hit]] = defaultdict(list)
    big = big_sql(paths)
    for prefix, exclude, row in settings_regions(root):
        params = _params_of(row)
        region = Region(prefix=prefix, paths=paths, exclude=exclude, new_ids=new_ids)
        enabled = [r for r in rules if r != RuleKey.CUSTOM and (row is None or row.enabled(r))]
        caps = []
        if RuleKey.HOLIDAY_GIFT_CAP in enabled:
            for cprefix, cexclude, cap in gift_cap_regions(prefix, year):
                if cprefix != prefix and any(cprefix.startswith(e) for e in exclude):
                    continue  # a deeper settings region scans its own caps
                caps.append((Region(prefix=cprefix, paths=paths, exclude=tuple({*cexclude, *exclude}),
                                    new_ids=new_ids if big else None), cap))
        if big:
            fast.collect(region, year, [r for r in enabled if r != RuleKey.LATE_RETURN], params, caps, found)
            if RuleKey.LATE_RETURN in enabled:
                found[RuleKey.LATE_RETURN] += builtin.late_return(region, year, params, today=today)
            continue
        for rule in enabled:
            if rule == RuleKey.HOLIDAY_GIFT_CAP:
                for sub, cap in caps:
                    found[rule] += builtin.holiday_gift_cap(sub, year, Params(**{**params.__dict__, "gift_cap": cap}))
            elif rule == RuleKey.LATE_RETURN:
                found[rule] += builtin.late_return(region, year, params, today=today)
            else:
                found[rule] += builtin.RULES[rule](region, year, params)
    if RuleKey.CUSTOM in rules:
        found[RuleKey.CUSTOM] += _custom_hits(root, year, paths=paths, new_ids=new_ids)
    return found


def _tune(*, full: bool = False) -> None:
    """Inside a scan's transaction on PostgreSQL: room for the hash tables and sorts of one pass over the lines
    (no spill to disk), and no JIT compilation (estimates inflated by the windows made it compile cheap
    statements). For a full scan, hash joins and sequential (or plain index) reads: the row counts of the CTEs are
    guessed, and the guesses made the planner sort half a million lines for merge joins and read them through a
    bitmap of the expense-key index, several times slower than reading the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL jit = off")
            if full:
                cur.execute("SET LOCAL enable_mergejoin = off")
                cur.execute("SET LOCAL enable_bitmapscan = off")


def expense_lines(year: int | None = None):
    qs = VoucherLine.objects.filter(kind="expense", debit__gt=0, voided=False)
    if year is not None:
        qs = qs.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
    return qs


def custom_rule_lines(rule: CustomRule, *, root: str, year: int, paths: tuple[str, ...] = (),
                      new_ids: tuple[int, int] | None = None):
    """The expense lines a custom rule flags in the year, inside both the rule's federation and ``root``."""
    deeper = root if root.startswith(rule.org_path) else rule.org_path
    if not deeper.startswith(root) and not root.startswith(rule.org_path):
        return VoucherLine.objects.none()
    qs = expense_lines(year).filter(org_path__startswith=deeper).filter(compile_rule(rule.conditions))
    if paths:
        qs = qs.filter(org_path__in=paths)
    if new_ids:
        qs = qs.filter(pk__gt=new_ids[0], pk__lte=new_ids[1])
    return qs


def _custom_hits(root: str, year: int, *, paths: tuple[str, ...] = (),
                 new_ids: tuple[int, int] | None = None) -> list[Hit]:
    hits = []
    rules = CustomRule.objects.filter(enabled=True).filter(Q(org_path__startswith=root) |
                                                           Q(org_path__in=_ancestors(root)))
    with translation.override("zh-hans"):
        for rule in rules:
            text = describe(rule.conditions)
            rows = custom_rule_lines(rule, root=root, year=year, paths=paths, new_ids=new_ids).values_list(
                "id", "voucher__org_id", "org_path", "date", "debit", "summary")
            for lid, union_id, path, date, debit, summary in rows.iterator(chunk_size=2000):
                hits.append(Hit(RuleKey.CUSTOM, f"{rule.pk}:{union_id}:{year}:{lid}", union_id, path, date, debit,
                                _("Custom rule \"%(name)s\" (%(rule)s): %(amount)s yuan, %(summary)s.") % {
                                    "name": rule.name, "rule": text, "amount": yuan(debit), "summary": summary},
                                [lid], custom_rule_id=rule.pk))
    return hits


def _save(hits: list[Hit], year: int, result: ScanResult) -> set[int]:
    """Raise an alert for each hit whose key is new, add the newly flagged lines to those already raised, and
    reopen one that a reversal had closed when live lines are flagged again. Returns the ids of the alerts found."""
    if connection.vendor == "postgresql":
        return _save_pg(hits, year, result)
    ids: set[int] = set()
    by_rule: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        by_rule[h.rule].append(h)
    for rule, rule_hits in by_rule.items():
        if rule == RuleKey.SPLIT_PURCHASE:
            _reuse_split_keys(rule_hits)
        for i in range(0, len(rule_hits), SAVE_CHUNK):
            chunk = {h.key: h for h in rule_hits[i:i + SAVE_CHUNK]}
            existing = {a.key: a for a in Alert.objects.filter(rule=rule, key__in=list(chunk)).only(
                "pk", "key", "message", "amount", "first_date", "state", "closed_at")}
            new = [Alert(rule=rule, key=k, union_id=h.union_id, org_path=h.org_path, year=year, first_date=h.first_date,
                         amount=h.amount, message=h.message, fund_return_id=h.fund_return_id,
                         custom_rule_id=h.custom_rule_id)
                   for k, h in chunk.items() if k not in existing]
            created = Alert.objects.bulk_create(new)
            result.created += len(created)
            changed, reopened = [], []
            for a in existing.values():
                h = chunk[a.key]
                if (a.message, a.amount, a.first_date) != (h.message, h.amount, h.first_date):
                    a.message, a.amount, a.first_date = h.message, h.amount, h.first_date
                    changed.append(a)
                if a.state == AlertState.CLOSED:
                    a.state, a.closed_at = AlertState.OPEN, None
                    reopened.append(a)
            if changed:
                _update_found(changed)
            if reopened:
                Alert.objects.bulk_update(reopened, ["state", "closed_at"])
                AlertEvent.objects.bulk_create([AlertEvent(alert=a, to_state=AlertState.OPEN,
                                                           note=_("Flagged again by a scan.")) for a in reopened])
                result.reopened += len(reopened)
            alerts = {a.key: a for a in [*created, *existing.values()]}
            # Only the lines an alert does not hold yet are written (a re-scan usually writes none).
            held = set(AlertLine.objects.filter(alert_id__in=[a.pk for a in existing.values()])
                       .values_list("alert_id", "line_id")) if existing else set()
            AlertLine.objects.bulk_create(
                [AlertLine(alert_id=alerts[k].pk, line_id=lid) for k, h in chunk.items() for lid in h.line_ids
                 if (alerts[k].pk, lid) not in held], ignore_conflicts=True, batch_size=2000)
            # A line the rule no longer flags (a total that fell back under its cap) leaves its alert: the alert
            # lists the lines as the scan leaves them. Every hit carries its alert's whole set of lines.
            wanted = {(alerts[k].pk, lid) for k, h in chunk.items() for lid in h.line_ids}
            stale = defaultdict(list)
            for alert_id, line_id in held - wanted:
                stale[alert_id].append(line_id)
            for alert_id, line_ids in stale.items():
                AlertLine.objects.filter(alert_id=alert_id, line_id__in=line_ids).delete()
            ids.update(a.pk for a in alerts.values())
            result.lines += sum(len(h.line_ids) for h in chunk.values())
        result.by_rule[rule] = result.by_rule.get(rule, 0) + len(rule_hits)
        result.found += len(rule_hits)
    return ids


HIT_TABLE = "funds_scan_hit"


def _save_pg(hits: list[Hit], year: int, result: ScanResult) -> set[int]:
    """``_save`` in a few set-based statements: the hits are COPYed into a temporary table, then one INSERT ... ON
    CONFLICT raises the new alerts, one UPDATE ... FROM writes the numbers that moved, one reopens, one INSERT ...
    SELECT adds the lines an alert does not hold yet and one DELETE ... USING drops those no longer flagged."""
    if not hits:
        return set()
    by_rule: dict[str, dict[str, Hit]] = defaultdict(dict)
    for h in hits:
        by_rule[h.rule][h.key] = h
    if RuleKey.SPLIT_PURCHASE in by_rule:
        split = list(by_rule[RuleKey.SPLIT_PURCHASE].values())
        _reuse_split_keys(split)
        by_rule[RuleKey.SPLIT_PURCHASE] = {h.key: h for h in split}
    alert, line, event = Alert._meta.db_table, AlertLine._meta.db_table, AlertEvent._meta.db_table
    again = _("Flagged again by a scan.")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {HIT_TABLE} (rule varchar(24), key varchar(160), "
                    "union_id bigint, org_path varchar(255), first_date date, amount numeric(14, 2), message text, "
                    "fund_return_id bigint, custom_rule_id bigint, line_ids bigint[]) ON COMMIT DROP")
        cur.execute(f"TRUNCATE {HIT_TABLE}")
        with cur.cursor.copy(f"COPY {HIT_TABLE} FROM STDIN") as copy:
            for rule_hits in by_rule.values():
                for h in rule_hits.values():
                    copy.write_row((h.rule, h.key, h.union_id, h.org_path, h.first_date, h.amount, h.message,
                                    h.fund_return_id, h.custom_rule_id, h.line_ids))
        cur.execute(f"""
            INSERT INTO {alert} (rule, key, union_id, org_path, year, first_date, amount, message, fund_return_id,
                                 custom_rule_id, state, explanation, review_reason, rectify_note, created_at,
                                 updated_at)
            SELECT h.rule, h.key, h.union_id, h.org_path, %s, h.first_date, h.amount, h.message, h.fund_return_id,
                   h.custom_rule_id, %s, '', '', '', now(), now()
            FROM {HIT_TABLE} h ORDER BY h.rule, h.first_date, h.key
            ON CONFLICT (rule, key) DO NOTHING""", [year, AlertState.OPEN])  # noqa: S608
        result.created += cur.rowcount
        cur.execute(f"""
            UPDATE {alert} a SET message = h.message, amount = h.amount, first_date = h.first_date
            FROM {HIT_TABLE} h WHERE a.rule = h.rule AND a.key = h.key
              AND (a.message, a.amount, a.first_date) IS DISTINCT FROM (h.message, h.amount, h.first_date)""")  # noqa: S608
        cur.execute(f"""
            WITH r AS (UPDATE {alert} a SET state = %s, closed_at = NULL FROM {HIT_TABLE} h
                       WHERE a.rule = h.rule AND a.key = h.key AND a.state = %s RETURNING a.id)
            INSERT INTO {event} (alert_id, at, actor_id, actor_name, to_state, note)
            SELECT r.id, now(), NULL, '', %s, %s FROM r""",  # noqa: S608
                    [AlertState.OPEN, AlertState.CLOSED, AlertState.OPEN, again])
        result.reopened += cur.rowcount
        cur.execute(f"""
            INSERT INTO {line} (alert_id, line_id)
            SELECT a.id, u.line_id FROM {HIT_TABLE} h JOIN {alert} a ON a.rule = h.rule AND a.key = h.key
                CROSS JOIN LATERAL unnest(h.line_ids) AS u(line_id)
            WHERE NOT EXISTS (SELECT 1 FROM {line} x WHERE x.alert_id = a.id AND x.line_id = u.line_id)
            ON CONFLICT DO NOTHING""")  # noqa: S608
        # A line the rule no longer flags (a total that fell back under its cap) leaves its alert.
        cur.execute(f"""
            DELETE FROM {line} x USING {HIT_TABLE} h JOIN {alert} a ON a.rule = h.rule AND a.key = h.key
            WHERE x.alert_id = a.id AND NOT (x.line_id = ANY(h.line_ids))""")  # noqa: S608
        cur.execute(f"SELECT a.id FROM {HIT_TABLE} h JOIN {alert} a ON a.rule = h.rule AND a.key = h.key")  # noqa: S608
        ids = {r[0] for r in cur.fetchall()}
    for rule, rule_hits in by_rule.items():
        result.lines += sum(len(h.line_ids) for h in rule_hits.values())
        result.by_rule[rule] = result.by_rule.get(rule, 0) + len(rule_hits)
        result.found += len(rule_hits)
    return ids


def _update_found(alerts: list[Alert]) -> None:
    """Write the new message, amount and first date of alerts whose numbers moved (a total that grew). On PostgreSQL
    one UPDATE ... FROM (VALUES ...) a thousand alerts: Django's bulk_update builds a CASE per column whose cost grows
    with the square of the batch, and took most of an incremental scan's time."""
    if connection.vendor != "postgresql":
        Alert.objects.bulk_update(alerts, ["message", "amount", "first_date"], batch_size=500)
        return
    table = Alert._meta.db_table
    with connection.cursor() as cur:
        for i in range(0, len(alerts), 1000):
            part = alerts[i:i + 1000]
            rows = ", ".join(["(%s, %s, %s::numeric, %s::date)"] * len(part))
            cur.execute(f"UPDATE {table} AS t SET message = v.m, amount = v.a, first_date = v.d "  # noqa: S608
                        f"FROM (VALUES {rows}) AS v(id, m, a, d) WHERE t.id = v.id",
                        [x for a in part for x in (a.pk, a.message, a.amount, a.first_date)])


def _reuse_split_keys(hits: list[Hit]) -> None:
    """A split group that grows (a new line within its days) keeps the alert it already has."""
    line_ids = [lid for h in hits for lid in h.line_ids]
    known: dict[int, str] = {}
    for i in range(0, len(line_ids), CHUNK):
        known.update(AlertLine.objects.filter(alert__rule=RuleKey.SPLIT_PURCHASE, line_id__in=line_ids[i:i + CHUNK])
                     .values_list("line_id", "alert__key"))
    taken: set[str] = set()
    for h in hits:
        keys = sorted({known[lid] for lid in h.line_ids if lid in known} - taken)
        if keys:
            h.key = keys[0]
        taken.add(h.key)


def _clear(root: str, year: int, rules: list[str], keep: set[int], result: ScanResult) -> None:
    """After a full scan: an open alert of these rules in the subtree and year that the rules no longer find (a
    decision recorded, a budget raised) is closed with a note; alerts a person has acted on are left as they are."""
    open_ids = (Alert.objects.filter(org_path__startswith=root, year=year, rule__in=rules, state=AlertState.OPEN)
                .values_list("pk", flat=True))
    ids = [pk for pk in open_ids.iterator(chunk_size=5000) if pk not in keep]
    if not ids:
        return
    now = timezone.now()
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        Alert.objects.filter(pk__in=part).update(state=AlertState.CLOSED, closed_at=now, updated_at=now)
        AlertEvent.objects.bulk_create([AlertEvent(alert_id=pk, to_state=AlertState.CLOSED,
                                                   note=_("No longer found by the scan.")) for pk in part])
    result.cleared += len(ids)


def _check(actor, org) -> None:
    actor.require_covers(org.path)
    if not (actor.can("funds.review") or actor.can("funds.write")):
        raise PermissionDenied("funds.review")


def scan(*, actor, org, year: int, rules: list[str] | None = None, today: datetime.date | None = None) -> ScanResult:
    """Run the rules (all built-in ones and the switched-on custom rules by default) over ``org``'s subtree for
    ``year``: one query per rule and settings region. Idempotent: a second run finds the same alerts."""
    _check(actor, org)
    year = year_checked(year)
    rules = list(rules or [*BUILT_IN, RuleKey.CUSTOM])
    unknown = [r for r in rules if r not in RuleKey.values]
    if unknown:
        from django.core.exceptions import ValidationError
        raise ValidationError(_("Unknown rule: %(rule)s") % {"rule": ", ".join(unknown)})
    started = time.monotonic()
    result = ScanResult(rules=rules)
    today = today or timezone.localdate()
    with translation.override("zh-hans"), transaction.atomic():
        _tune(full=True)
        hits = _hits_for(org.path, year, rules, today=today)
        found = _save([h for rs in hits.values() for h in rs], year, result)
        _clear(org.path, year, rules, found, result)
        result.seconds = time.monotonic() - started
        audit.record(actor=actor, action="funds.alerts_scan", object_type="org", object_id=org.code,
                     scope_path=org.path, details={"year": year, "found": result.found, "created": result.created,
                                                   "cleared": result.cleared})
    return result


def scan_incremental(*, actor=SYSTEM, since_id: int | None = None, upto_id: int | None = None,
                     today: datetime.date | None = None) -> ScanResult:
    """Scan what is new since the last incremental scan (or since line ``since_id``): the per-line rules read only the
    new lines (an id range on the primary key), the duplicate-invoice rule the lines sharing an invoice with a new one,
    and the rules over a window of lines (split purchases, holiday-gift and budget totals) reread the year of the
    unions the new lines touched (one GROUP BY over the new ids finds them). Fund returns are not lines: the tick
    sweep rescans those that fell due. A duplicate with a line of another year is found by the next full scan."""
    started = time.monotonic()
    result = ScanResult(rules=[*BUILT_IN, RuleKey.CUSTOM])
    today = today or timezone.localdate()
    with translation.override("zh-hans"), transaction.atomic():
        mark, _created = ScanMark.objects.select_for_update().get_or_create(name="lines")
        low = mark.last_line_id if since_id is None else since_id
        new = VoucherLine.objects.filter(pk__gt=low)
        if upto_id is not None:
            new = new.filter(pk__lte=upto_id)
        top = new.aggregate(top=Max("pk"))["top"]
        if top is None:
            return result
        touched = (new.values("org_path", "date__year").annotate(first=Min("pk")).order_by()
                   .values_list("org_path", "date__year"))
        by_year: dict[int, set[str]] = defaultdict(set)
        for path, year in touched:
            by_year[year].add(path)
        per_line = [r for r in result.rules if r not in WINDOWED and r != RuleKey.LATE_RETURN]
        _tune()
        for year, paths in by_year.items():
            if big_sql():
                # Every rule reads the new lines by their ids and their neighbours by index.
                hits = _hits_for("", year, [r for r in result.rules if r != RuleKey.LATE_RETURN],
                                 new_ids=(low, top), today=today)
                _save([h for rs in hits.values() for h in rs], year, result)
                continue
            # The per-line rules (and the duplicate invoices) read only the new lines, wherever they are.
            hits = _hits_for("", year, per_line, new_ids=(low, top), today=today)
            _save([h for rs in hits.values() for h in rs], year, result)
            # The rules over a window of lines reread the touched unions' year.
            paths = sorted(paths)
            for i in range(0, len(paths), CHUNK):
                hits = _hits_for("", year, WINDOWED, paths=tuple(paths[i:i + CHUNK]), today=today)
                _save([h for rs in hits.values() for h in rs], year, result)
        if top > mark.last_line_id:
            mark.last_line_id = top
            mark.save(update_fields=["last_line_id", "scanned_at"])
        result.seconds = time.monotonic() - started
        audit.record(actor=actor, action="funds.alerts_scan", object_type="", scope_path="",
                     details={"found": result.found, "created": result.created, "unions": sum(
                         len(p) for p in by_year.values())})
    return result


def scan_after_import(org, year: int, first_id: int | None = None, last_id: int | None = None) -> ScanResult:
    """After a journal import: scan the imported lines' union and year (the incremental path)."""
    since = (first_id - 1) if first_id else None
    return scan_incremental(actor=SYSTEM, since_id=since, upto_id=last_id)


def close_reversed(voucher_ids: list[int]) -> int:
    """Close the open or explained alerts whose every flagged line is now voided by a reversing voucher."""
    candidates = set(AlertLine.objects.filter(line__voucher_id__in=voucher_ids).values_list("alert_id", flat=True))
    if not candidates:
        return 0
    live = set(AlertLine.objects.filter(alert_id__in=candidates, line__voided=False).values_list("alert_id",
                                                                                                  flat=True))
    ids = list(Alert.objects.filter(pk__in=candidates - live).exclude(
        state__in=[AlertState.CLOSED, AlertState.DISMISSED, AlertState.RECTIFIED]).values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    with translation.override("zh-hans"), transaction.atomic():
        Alert.objects.filter(pk__in=ids).update(state=AlertState.CLOSED, closed_at=now, updated_at=now)
        AlertEvent.objects.bulk_create([AlertEvent(alert_id=i, to_state=AlertState.CLOSED,
                                                   note=_("Every flagged line was reversed.")) for i in ids])
        audit.record(actor=SYSTEM, action="funds.alerts_close", object_type="", details={"alerts": len(ids)})
    return len(ids)


def summary_amount(hits) -> Decimal:
    return sum((h.amount for h in hits), Decimal("0"))
