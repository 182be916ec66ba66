"""Every column of every table, read with raw SQL after every app has taken in personal data: no ID number or
mobile number is stored in clear anywhere (encrypted fields, audit details, import jobs, consents, sessions...)."""

import json

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import override_settings

from gonghui.casework.models import Case
from gonghui.core.models import AuditEvent, ImportJob
from gonghui.members.models import Consent, JoinApplication, Membership, Person, ServiceCard, Transfer
from gonghui.privacy import scan


def scan_database() -> list[str]:
    """Findings as 'table.column row: kind masked' for every value of every column of every table."""
    out = []
    quote = connection.ops.quote_name
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            columns = [c.name for c in connection.introspection.get_table_description(cur, table)]
            cur.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
            for n, row in enumerate(cur.fetchall()):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    if table == "django_session" and column == "session_data":
                        value = json.dumps(SessionStore().decode(value), ensure_ascii=False, default=str)
                    for finding in scan.find(value):
                        out.append(f"{table}.{column} row {n}: {finding}")
    return out


def test_no_table_holds_an_id_or_mobile_number_in_clear(world):
    # Every app took data in: the story ran to its end.
    assert Person.objects.count() >= 4 and Membership.objects.filter(status="left").exists()
    assert Transfer.objects.filter(requested_via="member").exists()
    assert ServiceCard.objects.filter(status="active").exists()
    assert JoinApplication.objects.filter(status="rejected").exists() and Case.objects.filter(state="closed").exists()
    assert Case.objects.filter(channel__in=["web", "mobile"]).exists()
    assert ImportJob.objects.filter(options__importable=False).exists()
    # A number an officer typed into a reason reaches the audit trail masked.
    assert AuditEvent.objects.get(action="personal.reveal").details["reason"] == "通知领卡 136****5678"
    assert Consent.objects.filter(purpose__in=["card", "transfer"]).count() == 2
    assert connection.introspection.table_names()
    assert scan_database() == []


def test_the_scan_finds_a_number_written_in_clear(world):
    """The scan reads what the ORM hides: a number put in a plain column is found, a sealed one is not."""
    Membership.objects.filter(pk=world.member.pk).update(job_title="13612345678")
    with connection.cursor() as cur:
        cur.execute("UPDATE members_person SET name = %s WHERE id = %s", [world.numbers["member"][0],
                                                                           world.member.person_id])
    found = scan_database()
    assert any(f.startswith("members_membership.job_title") for f in found)
    assert any(f.startswith("members_person.name") for f in found)
    assert not any(f.startswith(("members_person.id_number ", "members_person.phone ")) for f in found)


def test_task_queue_rows_hold_no_numbers(world, cast, tmp_path):
    """A large roster is queued for the worker: the queue row names the job, never the rows."""
    from django_tasks_db.models import DBTaskResult

    from gonghui.core.access import actor_for
    from gonghui.core.spreadsheets import write_xlsx
    from gonghui.members import tasks

    from .conftest import rid

    rows = [["姓名", "身份证号码", "入会时间", "手机"], ["郑洁", rid("33010219930303107"), "2021-03-05", "13712349999"]]
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = tasks.job_create(actor=actor_for(cast.officer_a), union=cast.grassroots_a,
                               data=write_xlsx(rows[0], rows[1:]), filename="r.xlsx")
        tasks.roster_job.enqueue(job.uid)
    assert DBTaskResult.objects.exists()
    assert scan_database() == []
