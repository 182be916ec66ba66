import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.identity import uscc_check_char
from gonghui.core.models import AuditEvent
from gonghui.orgs import services
from gonghui.orgs.models import Org

USCC_BODY = "91339902MA2B3C4D5"
USCC = USCC_BODY + uscc_check_char(USCC_BODY)


def test_create_grassroots_union_under_township(cast):
    actor = actor_for(cast.officer_a)
    org = services.org_create(actor=actor, parent=cast.township_a, name=" 东湖纺织厂工会 ", level="grassroots",
                              kind="enterprise", ownership="non_public", uscc=USCC.lower(), employee_count=88,
                              contact_phone="138 0000 1111")
    assert org.path.startswith(cast.township_a.path) and org.depth == cast.township_a.depth + 1
    assert org.name == "东湖纺织厂工会" and org.uscc == USCC and org.contact_phone == "13800001111"
    assert org.code.startswith("U") and len(org.code) == 8
    ev = AuditEvent.objects.get(action="org.create", object_id=org.code)
    assert ev.actor_name == "officer_a" and ev.details["parent"] == "CA1"


def test_bad_input_names_the_field(cast):
    actor = actor_for(cast.officer_a)
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=cast.township_a, name="某工会", level="grassroots",
                            kind="enterprise", uscc=USCC_BODY + "0" if USCC[-1] != "0" else USCC_BODY + "1",
                            region_code="12345", contact_phone="123")
    assert set(exc.value.message_dict) == {"uscc", "region_code", "contact_phone"}
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=cast.township_a, name="某县", level="county", kind="federation")
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=cast.township_a, code="GA", name="重复", level="grassroots",
                            kind="enterprise")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.org_create(actor=actor, parent=cast.township_a, name="", level="grassroots", kind="enterprise")
    assert not Org.objects.filter(name="某工会").exists()


def test_duplicate_credit_code_is_refused(cast):
    actor = actor_for(cast.officer_a)
    services.org_create(actor=actor, parent=cast.township_a, name="甲", level="grassroots", kind="enterprise",
                        uscc=USCC)
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=actor, parent=cast.township_a, name="乙", level="grassroots", kind="enterprise",
                            uscc=USCC)
    assert "uscc" in str(exc.value.message_dict) or "__all__" in exc.value.message_dict


def test_other_county_and_grassroots_officer_cannot_create_here(cast):
    with pytest.raises(Http404):
        services.org_create(actor=actor_for(cast.officer_b), parent=cast.township_a, name="x", level="grassroots",
                            kind="enterprise")
    with pytest.raises(Http404):
        services.org_create(actor=actor_for(cast.grassroots_officer), parent=cast.township_a, name="x",
                            level="grassroots", kind="enterprise")
    with pytest.raises(PermissionDenied):
        services.org_create(actor=actor_for(cast.auditor_a), parent=cast.township_a, name="x", level="grassroots",
                            kind="enterprise")
    # A grassroots officer may add a branch to their own union, nothing larger.
    branch = services.org_create(actor=actor_for(cast.grassroots_officer), parent=cast.grassroots_a, name="二车间分会",
                                 level="branch", kind="enterprise")
    assert branch.path.startswith(cast.grassroots_a.path)
    with pytest.raises(ValidationError):
        services.org_create(actor=actor_for(cast.grassroots_officer), parent=cast.grassroots_a, name="x",
                            level="grassroots", kind="enterprise")


def test_update_records_changed_field_names(cast):
    org = services.org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, employee_count=400,
                              name="东湖机械厂工会委员会")
    org.refresh_from_db()
    assert org.employee_count == 400 and org.name == "东湖机械厂工会委员会"
    ev = AuditEvent.objects.filter(action="org.update").latest("seq")
    assert ev.details == {"changed": ["employee_count", "name"]}
    with pytest.raises(TypeError):
        services.org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, level="county")


def test_registration_date_without_registration_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_b.__class__.objects.get(code="GA"),
                            legal_person_registered=False, legal_person_cert_no="工法证字第1号")
    assert "legal_person_registered" in exc.value.message_dict


def test_move_subtree_rewrites_every_path_in_one_go(cast):
    actor = actor_for(cast.city_staff)
    township_b = services.org_create(actor=actor, parent=cast.county_b, name="西山街道总工会", level="township",
                                     kind="federation")
    services.org_move(actor=actor, org=cast.grassroots_a, new_parent=township_b)
    ga = Org.objects.get(code="GA")
    branch = Org.objects.get(code="GA-B")
    assert ga.path.startswith(township_b.path) and branch.path.startswith(ga.path)
    assert branch.depth == ga.depth + 1
    assert not Org.objects.filter(path__startswith=cast.township_a.path, code="GA-B").exists()
    ev = AuditEvent.objects.get(action="org.move")
    assert ev.details["from"] == "CA1" and ev.details["to"] == township_b.code
    assert Org.find_problems() == ([], [], [], [], [])


def test_move_refusals(cast):
    city = actor_for(cast.city_staff)
    with pytest.raises(ValidationError):  # under its own branch
        services.org_move(actor=city, org=cast.grassroots_a, new_parent=cast.branch_a)
    with pytest.raises(ValidationError):  # a grassroots union cannot hold a county
        services.org_move(actor=city, org=cast.county_b, new_parent=cast.grassroots_a)
    with pytest.raises(Http404):  # county A cannot move its union into county B
        services.org_move(actor=actor_for(cast.officer_a), org=cast.grassroots_a, new_parent=cast.county_b)
    with pytest.raises(PermissionDenied):
        services.org_move(actor=actor_for(cast.grassroots_officer), org=cast.branch_a, new_parent=cast.grassroots_a)


def test_dissolve_keeps_rows_and_marks_the_subtree(cast):
    n = services.org_dissolve(actor=actor_for(cast.officer_a), org=cast.grassroots_a,
                              dissolved_on=datetime.date(2026, 3, 1), reason="企业破产")
    assert n == 2
    assert set(Org.objects.filter(status="dissolved").values_list("code", flat=True)) == {"GA", "GA-B"}
    with pytest.raises(ValidationError):
        services.org_dissolve(actor=actor_for(cast.officer_a), org=Org.objects.get(code="GA"),
                              dissolved_on=datetime.date(2026, 3, 1), reason="again")
    with pytest.raises(ValidationError):
        services.org_create(actor=actor_for(cast.officer_a), parent=Org.objects.get(code="GA"), name="x",
                            level="branch", kind="enterprise")


def test_dissolve_needs_a_reason_and_a_past_date(cast):
    actor = actor_for(cast.officer_a)
    with pytest.raises(ValidationError):
        services.org_dissolve(actor=actor, org=cast.grassroots_a, dissolved_on=datetime.date(2026, 3, 1), reason=" ")
    with pytest.raises(ValidationError):
        services.org_dissolve(actor=actor, org=cast.grassroots_a,
                              dissolved_on=datetime.date.today() + datetime.timedelta(days=3), reason="x")
    with pytest.raises(PermissionDenied):
        services.org_dissolve(actor=actor, org=cast.county_a, dissolved_on=datetime.date(2026, 3, 1), reason="x")


def test_phone_is_encrypted_at_rest_with_a_blind_index(cast):
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone, contact_phone_bidx FROM orgs_org WHERE code = %s", ["GA"])
        stored, bidx = cur.fetchone()
    assert "13812345678" not in stored and stored.startswith("v1$")
    from gonghui.core.crypto import blind_index

    assert bidx == blind_index("13812345678", kind="phone")
    assert Org.objects.get(contact_phone_bidx=bidx).code == "GA"
    # An update through update_fields refreshes the index too.
    services.org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_phone="13900002222")
    assert Org.objects.get(code="GA").contact_phone_bidx == blind_index("13900002222", kind="phone")


def test_no_plaintext_phone_anywhere_in_the_table(cast):
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM orgs_org")
        rows = cur.fetchall()
    import re

    assert not any(re.search(r"1[3-9]\d{9}", str(v)) for row in rows for v in row if isinstance(v, str))
