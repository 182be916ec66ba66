"""Secrecy by construction (issue: "an administrator with full read access to the database, the audit trail and
the application logs, during and after the poll, must not be able to tell how any person voted").

Known voters receive codes and vote through the public pages in a known order with known answers. Then everything
such an administrator can read is searched: every row of every table of the schema, the audit trail, every log line
captured at DEBUG, and the notification file. Nothing may hold a code in clear, nothing but the ballot itself may
hold its tracking code, no table may reference a ballot, and a ballot may hold nothing but the poll, its answers
and its comment. On PostgreSQL, no visible row of any table may share a ballot's transaction id (xmin).
"""

import logging

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from gonghui.core import notify
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import add_member

from .. import polls
from ..models import Ballot, Electorate, PollRecipient, VotingCode
from ..testing import make_poll

GRADES = ("优秀", "称职", "基本称职", "不称职")
VOTERS = ("张伟", "王静", "刘洋", "陈杰", "杨帆", "赵磊", "黄丽", "周涛")


def _table_dump() -> str:
    """Every value of every row of every table (what a database administrator reads)."""
    parts = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')
            for row in cur.fetchall():
                parts.append(f"{table}|" + "|".join(str(v) for v in row))
    return "\n".join(parts)


@pytest.mark.django_db(transaction=True)
def test_no_field_key_or_log_line_links_a_voter_to_a_ballot(cast, client, settings, tmp_path, caplog):
    settings.GONGHUI_NOTIFY_BACKEND = ["gonghui.core.notify.LocmemBackend", "gonghui.core.notify.ConsoleBackend",
                                       "gonghui.core.notify.FileBackend"]
    settings.GONGHUI_NOTIFY_DIR = str(tmp_path)
    caplog.set_level(logging.DEBUG)
    notify.outbox.clear()
    people = [add_member(cast.grassroots_officer, cast.grassroots_a, name=n, phone=f"1380000{i:04d}").person
              for i, n in enumerate(VOTERS)]
    poll = make_poll(cast, electorate=Electorate.MEMBERS, electorate_org=cast.grassroots_a, allow_comment=True)
    polls.codes_send(actor=actor_for(cast.officer_a), poll=poll)
    code_of = {m.to_phone: m.context["vote_code"] for m in notify.outbox}
    assert len(code_of) == len(VOTERS)
    audit_before = AuditEvent.objects.count()

    receipts = []
    subjects = polls.subjects_of(poll)
    for i, person in enumerate(people):  # the known order
        code = code_of[person.phone]
        page = client.post(reverse("portal:vote"), {"code": code})
        assert page.status_code == 200 and "ballot-form" in page.content.decode()
        data = {"code": code, "comment": ""}
        for s in subjects:
            for ci in range(len(poll.criteria)):
                data[f"a{s.position}_{ci}"] = GRADES[(i + ci + s.position) % 4]
        done = client.post(reverse("portal:vote_cast"), data)
        assert done.status_code == 200, done.content.decode()[:500]
        receipts.append(done.context["tracking"].replace("-", ""))
    assert AuditEvent.objects.count() == audit_before  # no vote is an audit event

    # The schema: a ballot holds the poll, its answers, its comment; nothing references a ballot; a code row has
    # no person; a recipient row has no code.
    assert {f.name for f in Ballot._meta.get_fields()} == {"tracking", "poll", "answers", "comment"}
    assert not any(f.is_relation and f.related_model is Ballot for m in apps.get_models()
                   for f in m._meta.get_fields() if m is not Ballot)
    assert {f.name for f in VotingCode._meta.get_fields()} == {"hash", "poll", "unit"}
    assert {f.name for f in PollRecipient._meta.get_fields()} == {"id", "poll", "person", "unit", "sent_on"}
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField", "AutoField", "BigAutoField")
                   for f in Ballot._meta.get_fields() if not f.is_relation)
    # The codes were used up: their rows are gone, not marked.
    assert not VotingCode.objects.filter(poll=poll).exists()

    dump = _table_dump()
    audit = "\n".join(str(e.details) + e.object_id + e.action for e in AuditEvent.objects.all())
    logs = "\n".join(r.getMessage() for r in caplog.records)
    outbox_file = (tmp_path / "notifications.jsonl").read_text()
    for code in code_of.values():
        bare = code.replace("-", "")
        for text in (dump, audit, logs, outbox_file):
            assert code not in text and bare not in text
    for tracking in receipts:
        lines = [line for line in dump.splitlines() if tracking in line]
        assert len(lines) == 1 and lines[0].startswith(Ballot._meta.db_table + "|")
        assert tracking not in audit and tracking not in logs and tracking not in outbox_file
    # The receipts' order says nothing of the voting order (random keys; 8! orders).
    assert sorted(receipts) != receipts

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f'SELECT DISTINCT xmin::text FROM "{Ballot._meta.db_table}"')
            xids = [r[0] for r in cur.fetchall()]
            assert len(xids) == len(VOTERS)  # one transaction per vote
            for table in connection.introspection.table_names():
                if table == Ballot._meta.db_table:
                    continue
                cur.execute(f'SELECT count(*) FROM "{table}" WHERE xmin::text = ANY(%s)', [xids])
                assert cur.fetchone()[0] == 0, f"{table} shares a transaction with a ballot"
