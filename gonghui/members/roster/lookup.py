"""Looking rows up in the registry (by blind index, a query per batch) and deciding what each row does."""

from collections.abc import Callable

from django.db import connection
from django.utils.translation import gettext as _

from gonghui.core import crypto

from ..models import (
    Membership,
    MembershipStatus,
    Person,
    Sex,
)
from .columns import BATCH, CREATE, MEMBERSHIP_KEYS, PERSON_UPDATABLE, REFUSED, UNCHANGED, UPDATE
from .rows import _Row

# --- looking rows up in the registry and deciding what each does ------------------------------------------

_PERSON_LOAD = ("id", "doc_type", "id_number_bidx", "phone_bidx", *PERSON_UPDATABLE)
_MEMBERSHIP_LOAD = ("id", "person_id", "union_id", "org_path", *MEMBERSHIP_KEYS, "is_female", "union__name")


def _registered(doc_type: str, bidxs: list[str]) -> list[dict]:
    """The people holding these documents (plain fields only), found through the unique index on (type, blind
    index). On PostgreSQL each number of the batch (one array parameter) is looked up by a subquery of its own
    (LIMIT 1 keeps the planner from merging it into a join): one index probe per number, whatever the table's
    statistics say. They are stale during a bulk load, and a join or ``IN`` was planned as a scan of the whole
    table per batch: quadratic in the file's length."""
    if connection.vendor != "postgresql":
        qs = Person.objects.filter(doc_type=doc_type, id_number_bidx__in=bidxs).values_list(*_PERSON_LOAD)
        return [dict(zip(_PERSON_LOAD, values, strict=True)) for values in qs]
    qn, col = connection.ops.quote_name, _column(Person)
    sql = (f"SELECT p.* FROM unnest(%s::varchar[]) AS b(bidx) CROSS JOIN LATERAL ("  # noqa: S608 - names from the model
           f"SELECT {', '.join(col(n) for n in _PERSON_LOAD)} FROM {qn(Person._meta.db_table)} "
           f"WHERE {col('doc_type')} = %s AND {col('id_number_bidx')} = b.bidx LIMIT 1) p")
    with connection.cursor() as cursor:
        cursor.execute(sql, [bidxs, doc_type])
        return [dict(zip(_PERSON_LOAD, values, strict=True)) for values in cursor.fetchall()]


def _active_memberships(person_ids: list[int]) -> list[dict]:
    """The active memberships of these people (at most one each), with their union's name; on PostgreSQL one
    probe of the one-active-membership index per person, as above."""
    if connection.vendor != "postgresql":
        qs = Membership.objects.filter(person_id__in=person_ids, status=MembershipStatus.ACTIVE)
        return [dict(zip(_MEMBERSHIP_LOAD, values, strict=True)) for values in qs.values_list(*_MEMBERSHIP_LOAD)]
    qn, col, org = connection.ops.quote_name, _column(Membership), Membership._meta.get_field("union").related_model
    names = [col(n) for n in _MEMBERSHIP_LOAD if n != "union__name"]
    sql = (f"SELECT m.*, o.{qn(org._meta.get_field('name').column)} "  # noqa: S608 - names from the model
           f"FROM unnest(%s::bigint[]) AS i(id) CROSS JOIN LATERAL ("
           f"SELECT {', '.join(names)} FROM {qn(Membership._meta.db_table)} "
           f"WHERE {col('person_id')} = i.id AND {col('status')} = %s LIMIT 1) m "
           f"JOIN {qn(org._meta.db_table)} o ON o.{qn(org._meta.pk.column)} = m.{col('union_id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [person_ids, MembershipStatus.ACTIVE])
        return [dict(zip(_MEMBERSHIP_LOAD, values, strict=True)) for values in cursor.fetchall()]


def _column(model) -> Callable[[str], str]:
    def quoted(name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)
    return quoted


def _classify(rows: list[_Row], *, actor, union) -> None:
    """Look the batch's people up (one query for people, and one for their active memberships when any is
    registered; plain values, never the encrypted fields) and set each row's action: create (a new person, or
    a person with no active membership), update / unchanged (already an active member of this union), or a
    problem (an active member of another union: a transfer).

    People are looked up by document type and blind index together: the unique index starts with the type."""
    by_type: dict[str, set[str]] = {}
    for r in rows:
        if r.bidx:
            by_type.setdefault(r.doc_type, set()).add(r.bidx)
    people: dict[tuple[str, str], dict] = {}
    for doc_type, found in by_type.items():
        bidxs = sorted(found)
        for i in range(0, len(bidxs), BATCH):
            for p in _registered(doc_type, bidxs[i:i + BATCH]):
                people[(p["doc_type"], p["id_number_bidx"])] = p
    actives: dict[int, dict] = {}
    ids = [p["id"] for p in people.values()]
    for i in range(0, len(ids), BATCH):
        for m in _active_memberships(ids[i:i + BATCH]):
            actives[m["person_id"]] = m
    for row in rows:
        person = people.get((row.doc_type, row.bidx)) if people and row.bidx else None
        active = actives.get(person["id"]) if person is not None else None
        if active is not None and active["union_id"] != union.pk:
            where = active["union__name"] if actor.covers(active["org_path"]) else _("another union")
            row.add("id_number", _("Already an active member of %(union)s: not imported; the member can move "
                                   "here by a transfer.") % {"union": where}, "active_elsewhere")
        if row.problems or row.duplicate:
            row.action = REFUSED
            continue
        row.active, row.person_id, row.current = active, None, None
        row.person_changes, row.membership_changes = {}, {}
        if person is not None:
            row.person_id, row.current = person["id"], person
            row.person_changes = _person_changes(person, row.person)
        if active is None:
            row.action = CREATE
        else:
            row.membership_changes = _membership_changes(active, row.membership, row.person["sex"])
            row.action = UPDATE if row.person_changes or row.membership_changes else UNCHANGED


def _person_changes(current: dict, data: dict) -> dict:
    """The person's fields the row changes; empty cells leave a field as it is. The stored phone is never
    decrypted: it is compared through its blind index."""
    out = {k: data[k] for k in PERSON_UPDATABLE if data[k] not in ("", None) and current[k] != data[k]}
    if data["phone"] and crypto.blind_index(data["phone"], kind="phone") != current["phone_bidx"]:
        out["phone"] = data["phone"]
    return out


def _membership_changes(current: dict, values: dict, sex: str) -> dict:
    out = {k: v for k, v in values.items() if current[k] != v}
    if current["is_female"] != (sex == Sex.FEMALE):
        out["is_female"] = sex == Sex.FEMALE
    return out


