"""Writing a checked batch: PostgreSQL through a binary COPY (ids drawn from the sequence first), SQLite through
``executemany``."""

import datetime
import os
import re
from collections import Counter

from django.db import connection
from django.utils import timezone

from gonghui.core import crypto

from ..models import (
    Membership,
    MembershipStatus,
    Person,
    Sex,
)
from .columns import BATCH, CREATE, UPDATE
from .rows import _Row

# --- writing a batch -------------------------------------------------------------------------------------

_PERSON_COLUMNS = ("uid", "doc_type", "id_number", "id_number_bidx", "name", "sex", "birth_date", "ethnicity",
                   "phone", "phone_bidx", "education", "political_status")
_MEMBERSHIP_COLUMNS = ("person_id", "joined_on", "job_title", "employment_form", "is_migrant_worker",
                       "is_new_employment", "is_dispatched", "is_female")


def _write(rows: list[_Row], *, union, now: datetime.datetime, today: datetime.date | None = None) -> Counter:
    """Write one classified batch: new people and memberships inserted in bulk, changed ones updated by
    groups of the same changed fields."""
    today = today or timezone.localdate()
    new_people = [r for r in rows if r.action == CREATE and r.person_id is None]
    if new_people:
        _seal([r for r in new_people if r.sealed is None])
        if connection.vendor == "postgresql":  # ids drawn from the sequence: memberships need no lookup
            for row in new_people:
                row.person_id = row.sealed[0]
            _insert(Person, [r.sealed for r in new_people], columns=("id", *_PERSON_COLUMNS),
                    same={"created_at": now, "updated_at": now})
        else:
            _insert(Person, [r.sealed for r in new_people], columns=_PERSON_COLUMNS,
                    same={"created_at": now, "updated_at": now})
            found = _person_ids(new_people)
            for row in new_people:
                row.person_id = found[(row.doc_type, row.bidx)]
    _update_grouped(Person, [(r.person_id, r.person_changes) for r in rows
                             if r.action in (CREATE, UPDATE) and r.person_changes], now)
    memberships = []
    for row in rows:
        if row.action == CREATE:
            m = row.membership
            memberships.append((row.person_id, m.get("joined_on", today), m.get("job_title", ""),
                                m.get("employment_form", ""), m.get("is_migrant_worker", False),
                                m.get("is_new_employment", False), m.get("is_dispatched", False),
                                row.person["sex"] == Sex.FEMALE))
    if memberships:
        _insert(Membership, memberships, columns=_MEMBERSHIP_COLUMNS, same={
            "union_id": union.pk, "org_path": union.path, "left_on": None, "status": MembershipStatus.ACTIVE,
            "leave_reason": "", "source": "import", "created_at": now, "updated_at": now})
    _update_grouped(Membership, [(r.active["id"], r.membership_changes) for r in rows
                                 if r.action == UPDATE and r.membership_changes], now)
    return Counter(r.action for r in rows)


def _seal(rows: list[_Row]) -> None:
    """Set each new person's ``sealed`` row: on PostgreSQL an id drawn from the sequence first, then the values
    of ``_PERSON_COLUMNS``. ID and phone numbers are sealed as their model fields seal them (``crypto.encrypt``:
    AES-GCM, the field's kind bound as associated data; here a batch at a time), with blind indexes as their
    ``pre_save`` sets them: stored exactly as ``save()`` stores them."""
    if not rows:
        return
    id_kind, phone_kind = Person._meta.get_field("id_number").kind, Person._meta.get_field("phone").kind
    people = [r.person for r in rows]
    phones = [p["phone"] for p in people]
    sealed_ids = crypto.encrypt_many([p["id_number"] for p in people], kind=id_kind)
    sealed_phones = crypto.encrypt_many(phones, kind=phone_kind)
    phone_bidxs = crypto.blind_indexes(phones, kind=phone_kind)
    ids = _new_ids(Person, len(rows)) or [None] * len(rows)
    for row, p, uid, pk, sealed_id, sealed_phone, phone_bidx in zip(
            rows, people, _uids(len(rows)), ids, sealed_ids, sealed_phones, phone_bidxs, strict=True):
        values = (uid, p["doc_type"], sealed_id, row.bidx, p["name"], p["sex"], p["birth_date"], p["ethnicity"],
                  sealed_phone, phone_bidx, p["education"], p["political_status"])
        row.sealed = values if pk is None else (pk, *values)


def _insert(model, rows: list[tuple], *, columns: tuple[str, ...], same: dict) -> None:
    """Insert ``rows``: tuples of values ready for the database (personal data already sealed) for the fields
    named in ``columns`` (attnames), plus ``same``, the values of every row, prepared once by their fields
    (``get_db_prep_save``); any other field gets its default. ``pre_save`` is not called.

    PostgreSQL: one binary ``COPY`` (the bulk-load path: no SQL to parse, no text to convert, one round trip),
    inside the caller's transaction. SQLite: one ``executemany``; ``bulk_create`` would build a model instance
    per row and send at most 999 parameters (66 people) per INSERT.
    """
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    fixed = {**same, **{f.attname: f.get_default() for f in meta.concrete_fields
                        if not f.primary_key and f.attname not in columns and f.attname not in same}}
    names = (*columns, *fixed)
    tail = tuple(fields[a].get_db_prep_save(v, connection) for a, v in fixed.items())
    qn = connection.ops.quote_name
    table, cols = qn(meta.db_table), ", ".join(qn(fields[a].column) for a in names)
    if connection.vendor == "postgresql":
        types = [_copy_type(fields[a]) for a in names]
        binary = all(types)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) \
                    as copy:
                if binary:
                    copy.set_types(types)
                write = copy.write_row
                for row in rows:
                    write(row + tail)
        return
    adapt = connection.ops.adapt_datefield_value
    for i in (i for i, a in enumerate(columns) if fields[a].get_internal_type() == "DateField"):
        rows = [(*row[:i], adapt(row[i]), *row[i + 1:]) for row in rows]
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.executemany(sql, [row + tail for row in rows])


_COPY_TYPES = {"varchar": "text", "char": "text", "text": "text", "date": "date", "boolean": "bool",
               "bigint": "int8", "integer": "int4", "smallint": "int2", "timestamp with time zone": "timestamptz"}


def _copy_type(field) -> str | None:
    """The type a binary COPY sends the field's values as (None: unknown, the COPY falls back to text)."""
    return _COPY_TYPES.get(re.sub(r"\(.*\)$", "", field.db_type(connection) or ""))


def _new_ids(model, n: int) -> list[int] | None:
    """n ids drawn from the model's id sequence (PostgreSQL), or None: the database assigns them on insert."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, n])
        return [pk for (pk,) in cursor.fetchall()]


def _person_ids(rows: list[_Row]) -> dict[tuple[str, str], int]:
    by_type: dict[str, list[str]] = {}
    for r in rows:
        by_type.setdefault(r.doc_type, []).append(r.bidx)
    out = {}
    for doc_type, bidxs in by_type.items():
        qs = Person.objects.filter(doc_type=doc_type, id_number_bidx__in=bidxs)
        out.update({(doc_type, bidx): pk for bidx, pk in qs.values_list("id_number_bidx", "id")})
    return out


_UID_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the alphabet of models.new_uid: 32 characters
_UID_TABLE = bytes(ord(_UID_CHARS[b & 31]) for b in range(256))


def _uid() -> str:
    """A public id like ``models.new_uid`` (10 characters, 50 random bits), from one urandom call."""
    return _uids(1)[0]


def _uids(n: int) -> list[str]:
    text = os.urandom(10 * n).translate(_UID_TABLE).decode("ascii")
    return [text[i:i + 10] for i in range(0, 10 * n, 10)]


def _update_grouped(model, changes: list[tuple[int, dict]], now: datetime.datetime) -> None:
    """bulk_update, one call per set of changed fields (the objects carry only their pk and those fields)."""
    groups: dict[tuple, list] = {}
    for pk, values in changes:
        obj = model(pk=pk, updated_at=now, **values)
        names = tuple(sorted(values))
        if "phone" in values:
            obj.phone_bidx = crypto.blind_index(values["phone"], kind="phone")
            names += ("phone_bidx",)
        groups.setdefault(names, []).append(obj)
    for names, objs in groups.items():
        model.objects.bulk_update(objs, [*names, "updated_at"], batch_size=BATCH)


