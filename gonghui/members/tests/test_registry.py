import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute
from gonghui.core.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import Membership, Person

from .factories import add_member, resident_id


def test_add_member_derives_sex_and_birth_and_encrypts(cast):
    number = resident_id(female=True, birth=datetime.date(1988, 3, 15))
    m = services.member_add(
        actor=actor_for(cast.grassroots_officer),
        union=cast.grassroots_a,
        person={"id_number": number.lower(), "name": " 张秀英 ", "phone": "136 1234 5678"},
        joined_on=datetime.date(2020, 1, 1),
        is_migrant_worker=True,
        employment_form="platform",
    )
    p = m.person
    assert (p.name, p.sex, p.birth_date) == ("张秀英", "F", datetime.date(1988, 3, 15))
    assert m.is_female and m.is_migrant_worker and m.is_new_employment and m.org_path == cast.grassroots_a.path
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM members_person WHERE id = %s", [p.pk])
        stored = cur.fetchone()
    assert number not in "".join(stored) and "13612345678" not in "".join(stored)
    ev = AuditEvent.objects.get(action="member.add")
    assert ev.object_id == p.uid and number not in str(ev.details)


def test_typed_sex_or_birth_must_agree_with_the_id(cast):
    number = resident_id(female=False, birth=datetime.date(1990, 5, 17))
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=actor_for(cast.officer_a),
            union=cast.grassroots_a,
            joined_on=datetime.date(2020, 1, 1),
            person={"id_number": number, "name": "王", "sex": "F", "birth_date": datetime.date(1991, 1, 1)},
        )
    assert set(exc.value.message_dict) == {"sex", "birth_date"}
    assert not Person.objects.exists()


def test_bad_inputs_name_their_fields(cast):
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=actor_for(cast.officer_a),
            union=cast.grassroots_a,
            joined_on=datetime.date.today() + datetime.timedelta(days=1),
            person={"id_number": "330102199005171234", "name": "", "phone": "123"},
        )
    assert {"id_number", "name", "phone"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:  # a township federation takes no members
        add_member(cast.officer_a, cast.township_a)
    assert "union" in exc.value.message_dict


def test_one_active_membership_per_person(cast):
    m = add_member(cast.officer_a, cast.grassroots_a)
    number = m.person.id_number
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=actor_for(cast.officer_a),
            union=cast.grassroots_a,
            joined_on=datetime.date(2022, 1, 1),
            person={"id_number": number, "name": "李强"},
        )
    assert exc.value.code == "already_member"
    with pytest.raises(services.ActiveElsewhere) as exc:
        services.member_add(
            actor=actor_for(cast.officer_b),
            union=cast.grassroots_b,
            joined_on=datetime.date(2022, 1, 1),
            person={"id_number": number, "name": "李强"},
        )
    assert exc.value.membership.union_id == cast.grassroots_a.pk
    # The database refuses it even without the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=m.person,
            union=cast.grassroots_b,
            org_path=cast.grassroots_b.path,
            joined_on=datetime.date(2022, 1, 1),
        )


def test_leave_then_join_elsewhere_keeps_history(cast):
    m = add_member(cast.officer_a, cast.grassroots_a)
    services.member_leave(
        actor=actor_for(cast.officer_a), membership=m, left_on=datetime.date(2024, 6, 30), reason="离职"
    )
    m2 = services.member_add(
        actor=actor_for(cast.officer_b),
        union=cast.grassroots_b,
        joined_on=datetime.date(2024, 7, 1),
        person={"id_number": m.person.id_number, "name": "李强"},
    )
    assert m2.person_id == m.person_id
    assert list(m.person.memberships.order_by("joined_on").values_list("status", flat=True)) == ["left", "active"]
    with pytest.raises(ValidationError):
        services.member_leave(
            actor=actor_for(cast.officer_a), membership=m, left_on=datetime.date(2024, 7, 1), reason="again"
        )


def test_scope_and_permissions_on_writes(cast):
    m = add_member(cast.officer_a, cast.grassroots_a)
    with pytest.raises(Http404):
        services.member_leave(
            actor=actor_for(cast.officer_b), membership=m, left_on=datetime.date(2024, 1, 1), reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.member_update(actor=actor_for(cast.auditor_a), membership=m, job_title="x")
    with pytest.raises(Http404):
        add_member(cast.grassroots_officer, cast.grassroots_b)


def test_update_records_field_names_only(cast):
    m = add_member(cast.officer_a, cast.grassroots_a, phone="13712345678")
    services.member_update(
        actor=actor_for(cast.officer_a), membership=m, person={"phone": "13787654321"}, job_title="车工"
    )
    ev = AuditEvent.objects.filter(action="member.update").latest("seq")
    assert ev.details == {"changed": ["job_title", "phone"]}


def test_figures_match_a_hand_count(cast):
    a = cast.officer_a
    add_member(
        a, cast.grassroots_a, name="甲", female=True, joined_on=datetime.date(2019, 1, 1), is_migrant_worker=True
    )
    add_member(a, cast.grassroots_a, name="乙", joined_on=datetime.date(2026, 2, 1), is_new_employment=True)
    left = add_member(a, cast.branch_a, name="丙", female=True, joined_on=datetime.date(2020, 1, 1))
    services.member_leave(actor=actor_for(a), membership=left, left_on=datetime.date(2026, 5, 1), reason="退休")
    add_member(cast.officer_b, cast.grassroots_b, name="丁", joined_on=datetime.date(2026, 3, 1))
    v = {fv.key: fv.value for fv in compute(cast.county_a, Period.parse("2026"), actor=actor_for(a))}
    assert v["members.total"] == 2 and v["members.new"] == 1
    assert v["members.female"] == 1 and v["members.migrant"] == 1 and v["members.new_employment"] == 1
    assert v["members.new_employment_joined"] == 1  # 乙 joined in 2026
    assert compute(cast.county_a, Period.parse("2019"), actor=actor_for(a),
                   keys=["members.new_employment_joined"])[0].value == 0  # 甲 joined in 2019, not new employment
    assert str(v["members.rate"]) == "0.6"  # 2 members / 320 employees of GA
    h1 = {fv.key: fv.value for fv in compute(cast.county_a, Period.parse("2026H1"), actor=actor_for(a))}
    assert h1["members.total"] == 2  # 丙 left on 2026-05-01, before the end of H1? no: left, so 甲 and 乙
    q1 = {fv.key: fv.value for fv in compute(cast.county_a, Period.parse("2026Q1"), actor=actor_for(a))}
    assert q1["members.total"] == 3
    city = {fv.key: fv.value for fv in compute(cast.city, Period.parse("2026"), actor=actor_for(cast.city_staff))}
    assert city["members.total"] == 3


def test_moving_a_union_moves_its_members_paths(cast):
    from gonghui.orgs.services import org_move

    m = add_member(cast.officer_a, cast.grassroots_a)
    org_move(actor=actor_for(cast.city_staff), org=cast.grassroots_a, new_parent=cast.county_b)
    m.refresh_from_db()
    cast.grassroots_a.refresh_from_db()
    assert m.org_path == cast.grassroots_a.path and m.org_path.startswith(cast.county_b.path)
