"""The approvals menu badge: open requests of the actor's subtree that another person made, nothing else. The
menu: its entries kept per permission set and language, and every counting badge of a page read in one query
with the same counts as the badge functions."""

from django.urls import reverse

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


# --- the menu: entries kept per permission set, every counting badge of a page in one query --------------------

def test_count_many_counts_like_count_in_one_query(cast, django_assert_num_queries):
    from gonghui.core.menu import count_many
    from gonghui.core.models import Grant
    from gonghui.orgs.models import Org

    querysets = [Org.objects.all(), Org.objects.filter(path__startswith=cast.county_a.path), Org.objects.none(),
                 Grant.objects.filter(role="nothing"), Org.objects.values("level").distinct()]
    want = [qs.count() for qs in querysets]
    assert want[0] > want[1] > 0 and want[4] > 1
    with django_assert_num_queries(1):
        assert count_many(querysets) == want
    with django_assert_num_queries(0):
        assert count_many([Org.objects.none()]) == [0]


def test_the_menus_badges_are_the_badge_functions_counts_read_in_one_query(cast, rf, django_assert_num_queries):
    from django.utils.module_loading import import_string

    from gonghui.core import menu

    _request(cast, cast.grassroots_officer, cast.grassroots_a)
    _request(cast, cast.grassroots_officer, cast.grassroots_a)
    for user in (cast.officer_a, cast.grassroots_officer, cast.officer_b, cast.system_admin):
        actor = actor_for(user)
        request = rf.get("/approvals/")
        with django_assert_num_queries(1 if user is not cast.system_admin else 0):
            sections = menu.menu_for(request, actor)
        shown = {item["url"]: item["badge"] for s in sections for item in s["items"]}
        for item in menu.MENU:
            if item.badge and actor.can(item.perm):
                assert shown[reverse(item.url_name)] == import_string(item.badge)(actor), (user, item.badge)
        assert [i["url"] for s in sections for i in s["items"] if i["active"]] == (
            ["/approvals/"] if actor.can("approval.decide") else [])
    assert menu.badges_for(actor_for(cast.officer_a), ["gonghui.core.approvals.menu_badge"]) == {
        "gonghui.core.approvals.menu_badge": 2}


def test_the_menus_entries_are_kept_per_permission_set_and_language(cast, rf):
    from django.utils import translation

    from gonghui.core import menu

    def labels(user):
        return [(s["title"], i["label"], i["url"]) for s in menu.menu_for(rf.get("/"), actor_for(user))
                for i in s["items"]]

    menu._ENTRIES.clear()
    with translation.override("zh-hans"):
        officer, admin = labels(cast.officer_a), labels(cast.system_admin)
        assert officer != admin and len(menu._ENTRIES) == 2
        assert labels(cast.officer_b) == officer and len(menu._ENTRIES) == 2  # same role, same entries
        assert ("概览", "审批", "/approvals/") in officer and not any(u == "/approvals/" for _t, _l, u in admin)
    with translation.override("en"):
        assert ("Overview", "Approvals", "/approvals/") in labels(cast.officer_a)
    for user in (cast.officer_a, cast.system_admin):
        assert [(t, lbl) for t, lbl, _u in labels(user)] == [
            (str(i.section), str(i.label)) for i in menu.MENU if actor_for(user).can(i.perm)]
