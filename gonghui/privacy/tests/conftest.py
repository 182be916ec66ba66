"""A populated federation for the privacy tests: every app holds personal values, entered the way they really come
in (staff screens and services, the public forms, a roster import, the privacy pages)."""

import datetime
from dataclasses import dataclass, field

import pytest

from gonghui.casework import intake
from gonghui.casework import services as case_services
from gonghui.casework.models import Case
from gonghui.casework.testing import log_case
from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.core.spreadsheets import write_xlsx
from gonghui.members import applications, cards, services, tasks
from gonghui.members.models import JoinApplication

CONSENT = {"consent": "on", "notice_version": "2026-11"}


def rid(body17: str) -> str:
    return body17 + id_check_char(body17)


@dataclass
class World:
    cast: object
    # (ID number, phone) of the people entered, by role in the story
    numbers: dict = field(default_factory=dict)
    member: object = None
    card: object = None
    application: object = None
    rejected: object = None
    public_case: object = None
    closed_case: object = None


def populate(cast, client) -> World:
    w = World(cast=cast)
    officer = actor_for(cast.officer_a)
    # A member entered by staff, whose phone is later changed and revealed with a reason.
    w.numbers["member"] = (rid("33010219880315002"), "13612345678")
    w.member = services.member_add(actor=officer, union=cast.grassroots_a, joined_on=datetime.date(2020, 1, 1),
                                   person={"id_number": w.numbers["member"][0], "name": "张秀英",
                                           "phone": "13600001111"})
    services.member_update(actor=officer, membership=w.member, person={"phone": w.numbers["member"][1]})
    client.force_login(cast.officer_a)
    client.post(f"/members/p/{w.member.person.uid}/reveal/", {"field": "phone", "reason": "通知领卡 13612345678"})
    client.post("/members/find/", {"number": w.numbers["member"][0]})
    client.get("/members/", {"export": "xlsx", "status": "active"})
    client.logout()
    # A service card, activated by the member on the portal (one failed try first).
    w.card = cards.cards_issue(actor=officer, union=cast.grassroots_a).cards.get(membership=w.member)
    client.post("/member/card/", {"number": w.card.number, "id_number": w.numbers["member"][0],
                                  "phone": "13900000000", **CONSENT})
    client.post("/member/card/", {"number": w.card.number, "id_number": w.numbers["member"][0],
                                  "phone": w.numbers["member"][1], **CONSENT})
    # A member who leaves, and one who asks on the portal to move to county B.
    leaver = services.member_add(actor=officer, union=cast.branch_a, joined_on=datetime.date(2015, 1, 1),
                                 person={"id_number": rid("33010219750101003"), "name": "王建国",
                                         "phone": "13711112222"})
    services.member_leave(actor=officer, membership=leaver, left_on=datetime.date(2019, 6, 30), reason="调离")
    w.numbers["mover"] = (rid("33010219920202004"), "13822223333")
    services.member_add(actor=officer, union=cast.grassroots_a, joined_on=datetime.date(2022, 1, 1),
                        person={"id_number": w.numbers["mover"][0], "name": "赵敏", "phone": w.numbers["mover"][1]})
    client.post("/member/transfer/", {"id_number": w.numbers["mover"][0], "phone_last4": "3333", "to_code": "GB",
                                      "note": "新单位", **CONSENT})
    # Online joining: one approved, one rejected.
    w.numbers["applicant"] = (rid("33010219950505005"), "13933334444")
    form = {"name": "孙丽", "doc_type": "resident_id", "id_number": w.numbers["applicant"][0],
            "phone": w.numbers["applicant"][1], "agree_join": "on", "consent_sensitive": "on",
            "notice_version": "2026-11", "job_title": "装配工"}
    client.post("/join/GA/", form)
    w.application = JoinApplication.objects.get(name="孙丽")
    applications.application_approve(actor=officer, application=w.application)
    w.numbers["rejected"] = (rid("33010219960606006"), "13944445555")
    client.post("/join/GA/", {**form, "name": "周杰", "id_number": w.numbers["rejected"][0],
                              "phone": w.numbers["rejected"][1]})
    w.rejected = applications.application_reject(actor=officer, application=JoinApplication.objects.get(name="周杰"),
                                                 reason="非本厂职工")
    client.post("/join/status/", {"code": w.rejected.code, "last4": "5555"})
    # Requests for help: one filed on the public page, one logged by staff and closed.
    w.numbers["worker"] = (rid("33010219930303007"), "13655556666")
    client.post("/requests/new/?to=CA", {"org": "CA", "category": "solution", "topic": "wages", "subject": "工资拖欠",
                                         "description": "请帮忙", "id_number": w.numbers["worker"][0],
                                         "consent_id_number": "on",
                                         "worker_name": "钱伟", "phone": w.numbers["worker"][1],
                                         "workplace": "东湖建筑", **CONSENT,
                                         "notice_version": intake.REQUEST_NOTICE_VERSION})
    w.public_case = Case.objects.get(worker_name="钱伟")
    client.post("/requests/track/", {"code": w.public_case.code, "last4": "6666"})
    w.closed_case = log_case(cast.officer_a, phone="13766667777", worker_name="吴芳", topic="contract")
    case_services.case_reply(actor=officer, case=w.closed_case, reply="已协调，联系电话 0571-87654321")
    case_services.case_follow_up(actor=officer, case=w.closed_case, satisfaction="satisfied", note="满意")
    case_services.case_close(actor=officer, case=w.closed_case)
    # A roster import with a bad row (the job and its problems are stored in the database).
    rows = [["姓名", "身份证号码", "入会时间", "手机"],
            ["李强", rid("33010219900517101"), "2021-03-05", "13712340000"],
            ["王芳", rid("33010219920101102")[:-1] + "0", "2022-01-08", "1381234000"]]
    job = tasks.job_create(actor=officer, union=cast.grassroots_a, data=write_xlsx(rows[0], rows[1:]),
                           filename="花名册.xlsx")
    tasks.job_start(job, inline=True)
    return w


@pytest.fixture
def world(cast, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return populate(cast, client)
