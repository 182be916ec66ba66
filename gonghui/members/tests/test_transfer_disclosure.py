"""Issue 10 §5: until the origin union releases, the destination that typed an ID number learns only that an active
member of another union holds it and that its request was sent: not her name, sex or masked ID, on the page, the
list or the service's view. Each test fails when the person is shown before release."""

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse

from gonghui.core.access import actor_for
from gonghui.core.models import Grant, Role
from gonghui.members import transfers
from gonghui.members.models import Transfer
from gonghui.orgs.models import Org

from .test_transfers import add, id_number

NAME = "林小红"


@pytest.fixture
def requested(cast, login):
    """A 西山-like case: a member of county A; county B asks for her by ID number."""
    add(cast, n=5, name=NAME)
    client = login(cast.officer_b)
    resp = client.post(reverse("members:transfer_new"), {"union": "GB", "id_number": id_number(5)}, follow=True)
    return Transfer.objects.get(), resp


def test_the_destination_sees_no_person_before_release(cast, login, requested):
    t, resp = requested
    html = resp.content.decode()
    masked = resp.context["t"]["id_masked"]
    assert NAME not in html and masked == "" and resp.context["t"]["sex"] == ""
    assert id_number(5)[-4:] not in html and 'id="transfer-person-withheld"' in html
    client = login(cast.officer_b)
    for url in (reverse("members:transfer", args=[t.code]), reverse("members:transfers"),
                reverse("members:transfers") + "?tab=outgoing", reverse("members:transfers") + "?tab=closed"):
        body = client.get(url).content.decode()
        assert NAME not in body and id_number(5)[-4:] not in body, url
    view = transfers.transfer_view(actor=actor_for(cast.officer_b), t=t)
    assert (view["name"], view["sex"], view["id_masked"], view["person_uid"], view["from_name"]) == ("",) * 5


def test_the_origin_sees_the_request_and_the_destination_the_person_after_release(cast, login, requested):
    t, _ = requested
    origin = login(cast.grassroots_officer)
    assert NAME in origin.get(reverse("members:transfer", args=[t.code])).content.decode()
    assert NAME in origin.get(reverse("members:transfers") + "?tab=outgoing").content.decode()
    transfers.transfer_release(actor=actor_for(cast.grassroots_officer), transfer=t)
    dest = login(cast.officer_b)
    page = dest.get(reverse("members:transfer", args=[t.code]))
    assert NAME in page.content.decode() and page.context["t"]["id_masked"].endswith(id_number(5)[-4:])
    assert NAME in dest.get(reverse("members:transfers")).content.decode()


def test_a_refused_request_never_told_the_destination_who_it_was(cast, login, requested):
    t, _ = requested
    transfers.transfer_refuse(actor=actor_for(cast.grassroots_officer), transfer=t, reason="本人不同意")
    dest = login(cast.officer_b)
    assert NAME not in dest.get(reverse("members:transfer", args=[t.code])).content.decode()
    assert NAME not in dest.get(reverse("members:transfers") + "?tab=closed").content.decode()


def test_others_get_404_and_anonymous_the_login(cast, login, client, requested):
    t, _ = requested
    url = reverse("members:transfer", args=[t.code])
    county_c = Org.objects.add_child(cast.city, instance=Org(code="CC", name="南岭县总工会", level="county",
                                                             kind="federation"))
    officer_c = get_user_model().objects.create_user(username="officer_c", password="x-Pass-2026")
    Grant.objects.create(user=officer_c, role=Role.FEDERATION_STAFF, org=county_c)
    other = login(officer_c)
    assert other.get(url).status_code == 404 and NAME not in other.get(reverse("members:transfers")).content.decode()
    with pytest.raises(Http404):
        transfers.transfer_get(actor=actor_for(officer_c), code=t.code)
    # The origin's grassroots officer is a side of it and sees whom it concerns.
    assert NAME in login(cast.grassroots_officer).get(url).content.decode()
    client.logout()
    assert client.get(url)["Location"].startswith("/login/")


def test_bad_input_names_the_field(cast, login):
    resp = login(cast.officer_b).post(reverse("members:transfer_new"), {"union": "GB", "id_number": "ABC"})
    assert resp.status_code == 200 and "id_number" in resp.context["form"].errors and not Transfer.objects.exists()


def test_the_audit_trail_names_no_one_to_the_destination_before_release(cast, requested):
    """The destination's own transfer.request event is in its subtree: the audit screen and its export name the
    transfer by its code alone until the origin releases."""
    from gonghui.core.audit_labels import resolve_objects

    t, _ = requested
    destination, origin = actor_for(cast.officer_b), actor_for(cast.grassroots_officer)
    assert resolve_objects(destination, [("transfer", t.code)])[("transfer", t.code)].text == t.code
    assert NAME in resolve_objects(origin, [("transfer", t.code)])[("transfer", t.code)].text
    transfers.transfer_release(actor=origin, transfer=t)
    assert NAME in resolve_objects(destination, [("transfer", t.code)])[("transfer", t.code)].text
