"""The union picker: scoped search, the field's checks, the endpoint, and the tree expanding in place."""

import pytest
from django.urls import reverse

from gonghui.core.widgets import OrgPickerField
from gonghui.members.forms import MemberFilterForm
from gonghui.members.tests.factories import add_member
from gonghui.orgs import selectors
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def _names(orgs):
    return [o.name for o in orgs]


def test_pick_finds_by_part_of_a_name_or_code_inside_the_scope(cast):
    officer_a = cast.actor(cast.officer_a)
    assert _names(selectors.org_pick(actor=officer_a, q="城关")) == ["城关街道总工会"]  # start of a name
    assert _names(selectors.org_pick(actor=officer_a, q="机械厂")) == ["东湖机械厂工会"]  # inside a name
    assert _names(selectors.org_pick(actor=officer_a, q="ga-b")) == ["一车间分会"]  # a code, any case
    assert _names(selectors.org_pick(actor=officer_a, q="GA"))[0] == "东湖机械厂工会"  # exact code first
    assert selectors.org_pick(actor=officer_a, q="西山") == []  # county B is out of scope
    assert selectors.org_pick(actor=officer_a, q="   ") == []
    grassroots = cast.actor(cast.grassroots_officer)
    assert selectors.org_pick(actor=grassroots, q="城关") == []  # above the officer's own union


def test_pick_is_bounded_and_narrowed_by_level(cast):
    officer_a = cast.actor(cast.officer_a)
    for i in range(30):
        Org.objects.add_child(cast.township_a, instance=Org(code=f"GX{i:02d}", name=f"城关第{i:02d}小学工会",
                                                            level="grassroots", kind="school"))
    found = selectors.org_pick(actor=officer_a, q="城关")
    assert len(found) == selectors.PICK_LIMIT and found[0].name == "城关街道总工会"  # shallowest first
    assert "城关街道总工会" not in _names(selectors.org_pick(actor=officer_a, q="城关", levels=("grassroots",)))


def test_pick_anywhere_offers_only_active_member_units_of_the_federation(cast):
    officer_a = cast.actor(cast.officer_a)
    found = selectors.org_pick(actor=officer_a, q="西山", levels=("grassroots", "branch"), anywhere=True)
    assert _names(found) == ["西山水泥厂工会"]  # a transfer may go to another county


def _field(actor, **options):
    field = OrgPickerField(**options)
    field.bind_actor(actor)
    return field


def test_the_field_cleans_to_a_code_from_a_code_or_an_exact_name(cast):
    field = _field(cast.actor(cast.officer_a))
    assert field.clean("ga") == "GA"
    assert field.clean("城关街道总工会") == "CA1"
    assert _field(cast.actor(cast.officer_a), required=False).clean("") == ""


@pytest.mark.parametrize("value", ["城关", "GB", "西山水泥厂工会", "NOPE", "x" * 500])
def test_unknown_or_out_of_scope_values_are_the_same_error_by_the_field(cast, value):
    from django import forms

    field = _field(cast.actor(cast.officer_a))
    with pytest.raises(forms.ValidationError) as exc:
        field.clean(value)
    assert exc.value.code == "not_found"


def test_repeated_names_ask_to_choose_and_levels_are_enforced(cast):
    from django import forms

    Org.objects.add_child(cast.township_a, instance=Org(code="GA2", name="一车间分会", level="grassroots",
                                                        kind="enterprise"))
    with pytest.raises(forms.ValidationError) as exc:
        _field(cast.actor(cast.officer_a)).clean("一车间分会")
    assert exc.value.code == "ambiguous"
    with pytest.raises(forms.ValidationError):
        _field(cast.actor(cast.officer_a), levels=("grassroots", "branch")).clean("CA1")


def test_the_form_without_an_actor_refuses_rather_than_searching_everywhere(cast):
    form = MemberFilterForm({"union": "GA"})
    assert not form.is_valid() and "union" in form.errors


def test_the_endpoint_answers_matches_in_scope_only(cast, login, client):
    url = reverse("orgs:pick")
    assert client.get(url, {"q": "东湖"}).status_code == 302  # anonymous: to the login page
    html = login(cast.officer_a).get(url, {"union_q": "城关"}).content.decode()
    assert 'data-code="CA1"' in html and 'role="option"' in html
    b = login(cast.officer_b)
    assert 'data-code' not in b.get(url, {"q": "城关"}).content.decode()
    assert "未找到" in b.get(url, {"q": "城关"}).content.decode()
    assert 'data-code' not in b.get(url, {"browse": "CA1"}).content.decode()  # browsing outside: nothing
    # Bad input never errors: odd levels are ignored, an over-long query is cut.
    assert b.get(url, {"q": "西" * 5000, "levels": "nope,,"}).status_code == 200
    # "anywhere" only ever opens member units, never federations of another county.
    html = b.get(url, {"q": "东湖", "anywhere": "1"}).content.decode()
    assert 'data-code' not in html
    html = b.get(url, {"q": "东湖", "anywhere": "1", "levels": "grassroots,branch"}).content.decode()
    assert 'data-code="GA"' in html and 'data-code="CA"' not in html


def test_the_endpoint_browses_one_level_at_a_time(cast, login):
    client = login(cast.officer_a)
    html = client.get(reverse("orgs:pick"), {"browse": ""}).content.decode()
    assert 'data-code="CA"' in html and 'data-code="CA1"' in html and "GA" not in html
    html = client.get(reverse("orgs:pick"), {"browse": "CA1", "levels": "grassroots,branch"}).content.decode()
    assert 'data-code="GA"' in html and 'data-code="CA1"' not in html  # the township is not pickable here
    assert "browse=CA" in html  # the way back up


def test_member_list_filters_by_a_picked_union_and_refuses_one_outside(cast, login):
    add_member(cast.grassroots_officer, cast.grassroots_a, name="赵一")
    add_member(cast.grassroots_officer, cast.branch_a, name="钱二")
    client = login(cast.officer_a)
    html = client.get(reverse("members:list"), {"union": "GA-B"}).content.decode()
    assert "钱二" in html and "赵一" not in html
    html = client.get(reverse("members:list"), {"union_q": "一车间分会"}).content.decode()  # typed, no script
    assert "钱二" in html and "赵一" not in html
    resp = client.get(reverse("members:list"), {"union_q": "城关"})  # a part, not chosen: error by the field
    assert resp.status_code == 200 and "未找到该单位" in resp.content.decode()
    resp = login(cast.officer_b).get(reverse("members:list"), {"union": "GA"})
    assert resp.status_code == 200 and "未找到该单位" in resp.content.decode() and "钱二" not in resp.content.decode()


def test_tree_children_load_under_a_node_in_scope_only(cast, login, client):
    url = reverse("orgs:tree_children", args=["CA1"])
    assert client.get(url).status_code == 302
    html = login(cast.officer_a).get(url).content.decode()
    assert "东湖机械厂工会" in html and 'hx-get="/orgs/tree/GA/children/"' in html
    assert login(cast.officer_b).get(url).status_code == 404
    assert login(cast.grassroots_officer).get(url).status_code == 404


def test_below_keeps_the_choice_strictly_under_one_unit(cast, login):
    officer_a = cast.actor(cast.officer_a)
    assert _names(selectors.org_pick(actor=officer_a, q="东湖", below="CA1")) == ["东湖机械厂工会"]  # not 东湖区
    assert selectors.org_pick(actor=officer_a, q="城关", below="CA1") == []  # the unit itself is no choice
    assert selectors.org_pick(actor=officer_a, q="西山", below="GB") == []  # a limit outside the scope: nothing
    field = _field(officer_a)
    field.limit_below("CA1")
    assert field.clean("GA") == "GA"
    from django import forms

    with pytest.raises(forms.ValidationError):
        field.clean("CA")
    client = login(cast.officer_a)
    html = client.get(reverse("orgs:pick"), {"browse": "", "below": "CA1"}).content.decode()
    assert 'data-code="GA"' in html and 'data-code="CA1"' not in html and "↑" not in html
    html = client.get(reverse("orgs:pick"), {"browse": "CA", "below": "CA1"}).content.decode()
    assert "data-code" not in html  # no walking above the limit


def test_a_form_s_limit_stays_in_that_form(cast):
    from gonghui.casework.forms import DispatchForm

    first = DispatchForm(actor=cast.actor(cast.officer_a), below="CA1")
    second = DispatchForm(actor=cast.actor(cast.officer_a))
    assert first.fields["to"].options["below"] == "CA1" and second.fields["to"].options["below"] == ""
    assert DispatchForm.base_fields["to"].options["below"] == ""


def test_moving_a_union_picks_its_new_parent(cast, login):
    Org.objects.add_child(cast.county_a, instance=Org(code="CA2", name="东湖新区街道总工会", level="township",
                                                      kind="federation"))
    client = login(cast.officer_a)
    url = reverse("orgs:move", args=["GA"])
    for bad in ("GB", "GA-B", "城关"):  # another county; a level that cannot hold it; only a part of a name
        resp = client.post(url, {"new_parent": bad})
        assert resp.status_code == 200 and "未找到该单位" in resp.content.decode()
    assert client.post(url, {"new_parent_q": "东湖新区街道总工会"}).status_code == 302
    assert Org.objects.get(code="GA").path.startswith(Org.objects.get(code="CA2").path)


def _plan(qs) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether an index *can* answer
        return qs.explain()


def test_the_picker_s_searches_can_be_answered_by_an_index(cast):
    from django.db import connection, transaction

    qs = selectors._prefix(Org.objects.all(), "name", "城关")
    with transaction.atomic():
        assert "orgs_org_name" in _plan(qs)
        if connection.vendor == "postgresql":
            # Unordered: with the tree order, a tiny table may as well walk the path index and filter.
            assert "orgs_org_name_trgm" in _plan(Org.objects.filter(name__contains="机械厂").order_by())
