"""The approvals menu badge: open requests of the actor's subtree that another person made, nothing else."""

from gonghui.core import approvals
from gonghui.core.access import actor_for
from gonghui.core.models import Approval


def _request(cast, user, org):
    return approvals.approval_request(actor=actor_for(user), kind=approvals.MEMBERS_EXPORT, org=org,
                                      payload={"filters": {"status": "active"}, "rows": 1}, reason="报送市总会员实名库")


def test_the_badge_counts_open_requests_of_others_in_the_subtree(cast):
    a = _request(cast, cast.grassroots_officer, cast.grassroots_a)
    _request(cast, cast.officer_b, cast.county_b)  # another county's
    assert approvals.menu_badge(actor_for(cast.officer_a)) == 1
    assert approvals.menu_badge(actor_for(cast.grassroots_officer)) is None  # their own request
    assert approvals.menu_badge(actor_for(cast.officer_b)) is None  # outside county B; its own is its own
    assert approvals.menu_badge(actor_for(cast.system_admin)) is None  # may not decide

    approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a, note="同意")
    assert approvals.menu_badge(actor_for(cast.officer_a)) is None  # decided: out of the open rows

    b = _request(cast, cast.grassroots_officer, cast.grassroots_a)
    Approval.objects.filter(pk=b.pk).update(expires_at=b.requested_at)  # past its time: no longer waiting
    assert approvals.menu_badge(actor_for(cast.officer_a)) is None


def test_the_open_requests_index_holds_only_the_rows_the_badge_counts():
    index = next(i for i in Approval._meta.indexes if i.name == "core_approval_open")
    assert index.fields == ["org_path"] and dict(index.condition.children) == {"state": "requested"}
