"""The grants of a program on the public board: published from the program page with the names masked (张*三),
only paid grants unless approved ones are asked for, withdrawn with a reason, both audited; permissions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.aid import board_grants, programs
from gonghui.aid.models import ProgramKind
from gonghui.aid.testing_programs import make_program, member
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.portal.publications import current_publications

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(cast):
    """A 白事慰问 program with a grant paid to 张三丰 and one approved, not paid, to 李四海."""
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    grassroots, staff = actor_for(cast.grassroots_officer), actor_for(cast.officer_a)
    grants = [programs.grant_apply(actor=grassroots, program=program, person=member(cast, n), org=cast.grassroots_a,
                                   facts={"relationship": "母"}, bank_account="6222021234567890123")
              for n in ("张三丰", "李四海")]
    programs.grant_approve(actor=staff, grant=grants[0])
    batch = programs.batch_create(actor=staff, program=program)
    programs.batch_pay(actor=staff, batch=batch, bank_reference="ICBC-778899", paid_on=datetime.date(2026, 3, 1))
    programs.grant_approve(actor=staff, grant=grants[1])
    return program


def test_publish_the_paid_grants_masked_and_withdraw(cast, paid):
    staff = actor_for(cast.officer_a)
    pub = board_grants.grants_publish(actor=staff, program=paid)
    assert pub.org == cast.county_a and pub.object_id == paid.pk and pub.until is not None
    assert [list(r.values())[:3] for r in pub.rows] == [["张*丰", cast.grassroots_a.name, "500.00"]]
    assert "500.00" in pub.summary
    both = board_grants.grants_publish(actor=staff, program=paid, include_approved=True)
    assert len(both.rows) == 2 and "李*海" in str(both.rows) and "李四海" not in str(both.rows)
    assert AuditEvent.objects.filter(action="portal.publish").count() == 2
    with pytest.raises(ValidationError):
        board_grants.grants_withdraw(actor=staff, program=paid, publication=pub, reason="")
    board_grants.grants_withdraw(actor=staff, program=paid, publication=pub, reason="名单有误")
    assert AuditEvent.objects.filter(action="portal.withdraw", details__reason="名单有误").exists()
    assert [p.pk for p in current_publications(cast.county_a, kind=board_grants.KIND)] == [both.pk]


def test_nothing_paid_nothing_published_and_refusals(cast, paid):
    empty = make_program(cast, kind=ProgramKind.WARMTH, name="送温暖")
    with pytest.raises(ValidationError):
        board_grants.grants_publish(actor=actor_for(cast.officer_a), program=empty)
    with pytest.raises(Http404):
        board_grants.grants_publish(actor=actor_for(cast.officer_b), program=paid)
    with pytest.raises(PermissionDenied):
        board_grants.grants_publish(actor=actor_for(cast.grassroots_officer), program=paid)
    with pytest.raises(ValidationError):
        board_grants.grants_publish(actor=actor_for(cast.officer_a), program=paid, days=0)


def test_the_board_shows_the_masked_names_and_the_pages_refuse_others(cast, login, client, paid):
    staff = login(cast.officer_a)
    page = staff.get(f"/aid/programs/{paid.pk}/").content.decode()
    assert 'id="publish-grants"' in page
    r = staff.post(f"/aid/programs/{paid.pk}/publish/", {"days": "7"})
    assert r.status_code == 302
    pub = current_publications(cast.county_a, kind=board_grants.KIND)[0]
    client.logout()
    board = client.get(f"/disclosure/{cast.county_a.code}/").content.decode()
    assert "张*丰" in board and "张三丰" not in board and "李*海" not in board
    other = login(cast.officer_b)
    assert other.post(f"/aid/programs/{paid.pk}/publish/", {"days": "7"}).status_code == 404
    assert other.post(f"/aid/programs/{paid.pk}/publications/{pub.pk}/withdraw/",
                      {"reason": "x"}).status_code == 404
    grassroots = login(cast.grassroots_officer)
    assert 'id="publish-grants"' not in grassroots.get(f"/aid/programs/{paid.pk}/").content.decode()
    assert grassroots.post(f"/aid/programs/{paid.pk}/publish/", {"days": "7"}).status_code == 403
    client.logout()
    r = client.post(f"/aid/programs/{paid.pk}/publish/", {"days": "7"})
    assert r.status_code == 302 and "login" in r["Location"]
    staff = login(cast.officer_a)
    staff.post(f"/aid/programs/{paid.pk}/publications/{pub.pk}/withdraw/", {"reason": ""})
    assert current_publications(cast.county_a, kind=board_grants.KIND)  # no reason: still on the board
    staff.post(f"/aid/programs/{paid.pk}/publications/{pub.pk}/withdraw/", {"reason": "名单有误"})
    assert not current_publications(cast.county_a, kind=board_grants.KIND)
    client.logout()
    assert "张*丰" not in client.get(f"/disclosure/{cast.county_a.code}/").content.decode()
