"""Colors, thresholds, escalation to the parent unit's supervision list, and the 督办 note.

Colors are shared by every kind: red when overdue, yellow when stalled (the kind decides what stalled means: a
case's stage without progress for its share of the limit, a measure without a progress report in the current
dispatch round), blue when due within the kind's ``blue_within`` working days. A red item rises once to the parent
unit of the unit holding it (a root is its own parent) with :func:`raise_item`; when the object is no longer red
(done, closed, given a new deadline) the kind's sweep calls :func:`resolve_items`.
"""

import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.workdays import workdays_between

from .models import SupervisionItem, SupervisionSetting
from .registry import get_kind, visible_kinds

BLUE, YELLOW, RED = "blue", "yellow", "red"
MAX_DAYS = 60  # a threshold above this many working days is refused (a typo, not a local practice)
CHUNK = 2000


class Thresholds(NamedTuple):
    blue_within: int
    remind_before: int


def thresholds(kind: str) -> Thresholds:
    """The kind's thresholds as set on the settings screen, else its registered defaults."""
    entry = get_kind(kind)
    row = SupervisionSetting.objects.filter(kind=kind).values_list("blue_within", "remind_before").first()
    return Thresholds(*row) if row else Thresholds(entry.blue_within, entry.remind_before)


def color_for(*, due_on: datetime.date | None, today: datetime.date, stalled: bool, blue_within: int) -> str:
    """"" | "blue" | "yellow" | "red": red when ``today`` is past ``due_on``, yellow when stalled, blue when due
    within ``blue_within`` working days (the due day itself counts: due today is within 0)."""
    if due_on is not None and today > due_on:
        return RED
    if stalled:
        return YELLOW
    if due_on is not None and workdays_between(today, due_on) <= blue_within:
        return BLUE
    return ""


def reminder_due(*, due_on: datetime.date | None, today: datetime.date, remind_before: int) -> str:
    """Which reminder an object is due for today: "overdue" past the deadline, "before" within ``remind_before``
    working days of it, else "". The kind's sweep sends each once (keyed by the kind of reminder and the due
    date)."""
    if due_on is None:
        return ""
    if today > due_on:
        return "overdue"
    if workdays_between(today, due_on) <= remind_before:
        return "before"
    return ""


def parent_of(org):
    """The unit that supervises ``org``: its parent, or itself for a root."""
    from gonghui.orgs.models import Org

    path = org.path[:-Org.steplen] or org.path
    return org if path == org.path else Org.objects.get(path=path)


def raise_item(*, kind: str, object_id: int, key: str, title: str, holder_org, due_on: datetime.date | None,
               url: str, now: datetime.datetime | None = None) -> tuple[SupervisionItem, bool]:
    """Put an overdue object on the supervision list of ``holder_org``'s parent, once per (kind, object_id, key).
    Returns the item and whether it was created now."""
    get_kind(kind)
    existing = SupervisionItem.objects.filter(kind=kind, object_id=object_id, key=key).first()
    if existing is not None:
        return existing, False
    told = parent_of(holder_org)
    item = SupervisionItem(kind=kind, object_id=object_id, key=str(key)[:60], title=str(title)[:200],
                           url=str(url)[:300], holder_org=holder_org, holder_path=holder_org.path, told_org=told,
                           told_path=told.path, due_on=due_on, raised_at=now or timezone.now())
    try:
        with transaction.atomic():
            item.save(force_insert=True)
    except IntegrityError:  # a concurrent sweep raised it first
        return SupervisionItem.objects.get(kind=kind, object_id=object_id, key=key), False
    return item, True


class Raise(NamedTuple):
    object_id: int
    key: str
    holder_org_id: int
    holder_path: str
    due_on: datetime.date | None
    title: str = ""
    url: str = ""


def raise_many(*, kind: str, rows: list[Raise], now: datetime.datetime | None = None,
               describe=None) -> list[SupervisionItem]:
    """:func:`raise_item` for a sweep's batch (the caller holds its sweep's lock): the items not raised before are
    created in bulk and returned. ``describe(object_ids) -> {id: (title, url)}``, when given, names only the
    objects raised now (a sweep need not read every red object's title).

    On PostgreSQL a batch of ``BULK_MIN`` rows or more is set-based: one SELECT over ``unnest`` of the batch finds
    the keys not raised yet, and one ``INSERT … SELECT … FROM unnest(…) JOIN`` the parents ``ON CONFLICT DO
    NOTHING`` creates them (a first sweep over a cold backlog of tens of thousands of red objects takes seconds).
    Elsewhere (SQLite) the batch goes by ``bulk_create`` in chunks."""
    get_kind(kind)
    now = now or timezone.now()
    if connection.vendor == "postgresql" and len(rows) >= BULK_MIN:
        return _raise_set_based(kind, rows, now, describe)
    return _raise_chunked(kind, rows, now, describe)


BULK_MIN = 500  # rows from which a batch is raised set-based on PostgreSQL


def _parent_path(path: str) -> str:
    from gonghui.orgs.models import Org

    return path[:-Org.steplen] or path


def _raise_chunked(kind, rows, now, describe) -> list[SupervisionItem]:
    from gonghui.orgs.models import Org

    created: list[SupervisionItem] = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        seen = set(SupervisionItem.objects.filter(kind=kind, object_id__in={r.object_id for r in chunk})
                   .values_list("object_id", "key").order_by())
        missing = [r for r in chunk if (r.object_id, r.key[:60]) not in seen]
        if not missing:
            continue
        names = describe({r.object_id for r in missing}) if describe is not None else {}
        told = dict(Org.objects.filter(path__in={_parent_path(r.holder_path) for r in missing})
                    .values_list("path", "pk"))
        batch = []
        for r in missing:
            if (r.object_id, r.key[:60]) in seen:  # named twice in the batch: raised once
                continue
            parent = _parent_path(r.holder_path)
            seen.add((r.object_id, r.key[:60]))
            title, url = names.get(r.object_id, (r.title, r.url))
            batch.append(SupervisionItem(kind=kind, object_id=r.object_id, key=r.key[:60], title=str(title)[:200],
                                         url=str(url)[:300], holder_org_id=r.holder_org_id, holder_path=r.holder_path,
                                         told_org_id=told[parent], told_path=parent, due_on=r.due_on,
                                         raised_at=now))
        created += SupervisionItem.objects.bulk_create(batch, batch_size=1000)
    return created


def _raise_set_based(kind, rows, now, describe) -> list[SupervisionItem]:
    from gonghui.orgs.models import Org

    table = SupervisionItem._meta.db_table
    org_table = Org._meta.db_table
    # One row per key (a batch naming a key twice raises it once, as the chunked path does).
    unique = list({(r.object_id, r.key[:60]): r for r in rows}.values())
    with connection.cursor() as cur:
        cur.execute(
            # Table names come from the models; every value is a parameter.
            f"SELECT u.object_id, u.key FROM unnest(%s::bigint[], %s::varchar[]) AS u(object_id, key) "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.kind = %s AND s.object_id = u.object_id "
            f"AND s.key = u.key)",
            [[r.object_id for r in unique], [r.key[:60] for r in unique], kind])
        fresh = set(cur.fetchall())
        missing = [r for r in unique if (r.object_id, r.key[:60]) in fresh]
        if not missing:
            return []
        names = describe({r.object_id for r in missing}) if describe is not None else {}
        titles, urls = [], []
        for r in missing:
            title, url = names.get(r.object_id, (r.title, r.url))
            titles.append(str(title)[:200])
            urls.append(str(url)[:300])
        cur.execute(
            f"INSERT INTO {table} (kind, object_id, key, title, url, holder_org_id, holder_path, told_org_id, "  # noqa: S608
            f"told_path, due_on, raised_at, handled_note) "
            f"SELECT %s, u.object_id, u.key, u.title, u.url, u.holder_org_id, u.holder_path, o.id, o.path, u.due_on, "
            f"%s, '' FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::varchar[], %s::integer[], "
            f"%s::varchar[], %s::varchar[], %s::date[]) AS u(object_id, key, title, url, holder_org_id, holder_path, "
            f"parent, due_on) JOIN {org_table} o ON o.path = u.parent "
            f"ON CONFLICT (kind, object_id, key) DO NOTHING "
            f"RETURNING id, object_id, key, title, url, holder_org_id, holder_path, told_org_id, told_path, due_on",
            [kind, now, [r.object_id for r in missing], [r.key[:60] for r in missing], titles, urls,
             [r.holder_org_id for r in missing], [r.holder_path for r in missing],
             [_parent_path(r.holder_path) for r in missing], [r.due_on for r in missing]])
        made = cur.fetchall()
    return [SupervisionItem(pk=pk, kind=kind, object_id=oid, key=key, title=title, url=url, holder_org_id=holder,
                            holder_path=hpath, told_org_id=told, told_path=tpath, due_on=due, raised_at=now)
            for pk, oid, key, title, url, holder, hpath, told, tpath, due in sorted(made, key=lambda m: m[0])]


def open_object_ids(*, kind: str) -> set[int]:
    """The objects of a kind with an item not resolved yet (for the sweep to resolve the ones no longer red)."""
    return set(SupervisionItem.objects.filter(kind=kind, resolved_at__isnull=True).values_list("object_id", flat=True)
               .order_by())


def resolve_items(*, kind: str, object_ids, now: datetime.datetime | None = None) -> int:
    """The objects are no longer red (done, closed, a new deadline): their open items leave the list's
    "to supervise" tab (a note already written stays). Returns how many items were resolved."""
    ids = list(object_ids)
    n = 0
    for i in range(0, len(ids), CHUNK):
        n += SupervisionItem.objects.filter(kind=kind, object_id__in=ids[i:i + CHUNK], resolved_at__isnull=True
                                            ).update(resolved_at=now or timezone.now())
    return n


def supervision_list(actor, *, kind: str | None = None, handled: bool | None = None,
                     resolved: bool | None = None) -> QuerySet[SupervisionItem]:
    """Items told to units of the actor's subtree, of the kinds the actor may see, newest first."""
    shown = visible_kinds(actor) if actor.org is not None else []
    if kind:
        shown = [k for k in shown if k == kind]
    if not shown:
        return SupervisionItem.objects.none()
    qs = SupervisionItem.objects.filter(told_path__startswith=actor.org.path, kind__in=shown)
    if handled is not None:
        qs = qs.filter(handled_at__isnull=not handled)
    if resolved is not None:
        qs = qs.filter(resolved_at__isnull=not resolved)
    return qs.select_related("holder_org", "told_org", "handled_by").order_by("-raised_at", "-pk")


def supervision_get(actor, *, pk) -> SupervisionItem:
    item = supervision_list(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if item is None:
        raise Http404
    return item


_HANDLERS: dict[str, object] = {}


def on_handle(kind: str, fn) -> None:
    """``fn(actor, item, note, at)`` runs inside the note's transaction (casework adds it to the case's timeline)."""
    _HANDLERS[kind] = fn


def item_handle(actor, *, item: SupervisionItem, note: str) -> SupervisionItem:
    """The supervising unit records what it did about an item (督办). Once per item."""
    entry = get_kind(item.kind)
    actor.require(entry.write_perm)
    if not actor.can(entry.perm) or not actor.covers(item.told_path):
        raise Http404
    note = " ".join(str(note or "").split())
    if not note:
        raise ValidationError({"note": _("Write what the supervising unit did.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    now = timezone.now()
    with transaction.atomic():
        locked = SupervisionItem.objects.select_for_update().get(pk=item.pk)
        if locked.handled_at is not None:
            raise ValidationError(_("This item was already supervised."))
        locked.handled_at, locked.handled_by, locked.handled_note = now, actor.user, note
        locked.save(update_fields=["handled_at", "handled_by", "handled_note"])
        if (hook := _HANDLERS.get(item.kind)) is not None:
            hook(actor, locked, note, now)
        audit.record(actor=actor, action="supervision.handle", object_type="supervision_item",
                     object_id=str(locked.pk), scope_path=locked.told_path,
                     details={"kind": locked.kind})
    item.handled_at, item.handled_by, item.handled_note = locked.handled_at, locked.handled_by, locked.handled_note
    return item


def settings_rows(actor) -> list[dict]:
    """The kinds whose thresholds the actor may edit, with their values now."""
    from .registry import kinds

    rows = []
    for key, entry in kinds().items():
        if actor.can(entry.settings_perm):
            t = thresholds(key)
            rows.append({"kind": key, "label": entry.label, "blue_within": t.blue_within,
                         "remind_before": t.remind_before, "default_blue": entry.blue_within,
                         "default_remind": entry.remind_before})
    return rows


def _days(value, field: str) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of working days.")}) from None
    if not 0 <= n <= MAX_DAYS:
        raise ValidationError({field: _("Between 0 and %(n)s working days.") % {"n": MAX_DAYS}})
    return n


def settings_update(actor, *, kind: str, blue_within, remind_before) -> Thresholds:
    """Set a kind's thresholds (the next sweep colors and reminds by them). Audited with the values before."""
    try:
        entry = get_kind(kind)
    except LookupError:
        raise Http404 from None
    actor.require(entry.settings_perm)
    errors = {}
    values = {}
    for field, value in (("blue_within", blue_within), ("remind_before", remind_before)):
        try:
            values[field] = _days(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before = thresholds(kind)
    new = Thresholds(values["blue_within"], values["remind_before"])
    if new == before:
        return new
    with transaction.atomic():
        SupervisionSetting.objects.update_or_create(kind=kind, defaults={
            "blue_within": new.blue_within, "remind_before": new.remind_before, "updated_at": timezone.now(),
            "updated_by": actor.user})
        audit.record(actor=actor, action="supervision.settings", object_type="supervision_setting", object_id=kind,
                     details={"kind": kind, "blue_within": new.blue_within, "remind_before": new.remind_before,
                              "before": f"{before.blue_within}/{before.remind_before}"})
    return new
