"""The menu's counts for join applications and transfers: open items only, in the actor's subtree, for those who
act on them, each served by a partial index of the open rows."""

from django.db import connection

from gonghui.core.access import actor_for
from gonghui.members import applications, badges, transfers
from gonghui.members.models import JoinApplication, Transfer
from gonghui.members.tests.test_applications import make_id, submit
from gonghui.members.tests.test_transfers import add, id_number


def test_pending_applications_counted_in_the_subtree(cast):
    a1 = submit(cast.grassroots_a)
    submit(cast.grassroots_a, id_number=make_id(2, "F"))
    submit(cast.grassroots_b, id_number=make_id(3, "F"))
    assert badges.applications_pending(actor_for(cast.officer_a)) == 2
    assert badges.applications_pending(actor_for(cast.grassroots_officer)) == 2
    assert badges.applications_pending(actor_for(cast.officer_b)) == 1
    assert badges.applications_pending(actor_for(cast.city_staff)) == 3
    applications.application_reject(actor=actor_for(cast.officer_a), application=a1, reason="不在本单位工作")
    assert badges.applications_pending(actor_for(cast.officer_a)) == 1  # decided ones drop out


def test_transfers_to_act_on_by_side(cast):
    add(cast)  # a member of GA (county A)
    b = actor_for(cast.officer_b)
    t = transfers.transfer_request_by_destination(actor=b, to_union=cast.grassroots_b, id_number=id_number(1))
    assert badges.transfers_to_act_on(actor_for(cast.grassroots_officer)) == 1  # the origin must release
    assert badges.transfers_to_act_on(b) is None  # the destination waits
    transfers.transfer_release(actor=actor_for(cast.grassroots_officer), transfer=t)
    assert badges.transfers_to_act_on(actor_for(cast.grassroots_officer)) is None
    assert badges.transfers_to_act_on(b) == 1  # now the destination must accept
    transfers.transfer_accept(actor=b, transfer=Transfer.objects.get(pk=t.pk))
    assert badges.transfers_to_act_on(b) is None


def test_no_count_for_those_who_cannot_act(cast):
    submit(cast.grassroots_a)
    assert badges.applications_pending(actor_for(cast.auditor_a)) is None  # reads members, decides nothing
    assert badges.applications_pending(actor_for(cast.audit_admin)) is None
    assert badges.transfers_to_act_on(actor_for(cast.system_admin)) is None


def test_the_menu_shows_the_counts(cast, login):
    submit(cast.grassroots_a)
    body = login(cast.officer_a).get("/members/applications/").content.decode()
    assert 'href="/members/applications/">入会申请 <span class="badge' in body
    body = login(cast.officer_b).get("/members/applications/").content.decode()
    assert 'href="/members/applications/">入会申请</a>' in body


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Empty test tables: make the planner show which index it can use rather than a cheap table scan.
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("EXPLAIN SELECT COUNT(*) FROM (" + sql + ") s", params)
        else:
            cur.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM (" + sql + ")", params)
        return " ".join(str(r[-1]) for r in cur.fetchall())


def test_counts_read_the_partial_indexes_of_open_rows(cast):
    p = cast.county_a.path
    # Either partial index holds the pending rows only (the unique one is per union and person).
    plan = _plan(JoinApplication.objects.filter(status="pending", org_path__startswith=p))
    assert "members_app_pending" in plan or "members_one_pending_application" in plan
    assert "members_transfer_requested" in _plan(
        Transfer.objects.filter(status="requested", from_path__startswith=p))
    assert "members_transfer_released" in _plan(Transfer.objects.filter(status="released", to_path__startswith=p))
