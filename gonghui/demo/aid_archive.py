"""The demo's hardship archive, played through the services: the city's 低保 standards for last year and this year,
and in the demo grassroots union (``union``) files at every stage — a draft, one applied for (to 城关街道's review), one
under public notice with a worker's objection from the public board, filed households (深度困难 with a 优待证 and a
一帮一 cadre who has visited, 相对困难, 意外致困), one whose annual review is overdue, and one that exited (解困).

The notice lasts working days from today, so the files shown as filed were taken through their notice and then
brought to their filing day as the paper archive recorded it (dates moved back, then the daily tick files them).
``seed_archive(today=..., rng=...)`` returns counts."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.aid import archive
from gonghui.aid.models import Household
from gonghui.core.access import actor_for
from gonghui.core.attachments import services as attachments
from gonghui.core.identity import id_check_char
from gonghui.orgs.models import Org

PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "明华", "丽娟", "春生", "玉梅", "国庆")


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _number(rng, region: str) -> str:
    birth = f"{rng.randint(1965, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{region}{birth}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def _new(unit, org, rng, region: str, *, income: str, members, causes, member=None, **costs):
    """A draft file of a worker entered by name and ID, or of ``member`` (a person of the registry: 送温暖 from the
    archive makes grants for those)."""
    name, number = rng.choice(SURNAMES) + rng.choice(GIVEN), _number(rng, region)
    if member is not None:
        name, number = member.name, member.id_number
    return archive.household_create(
        actor=unit, org=org, name=name, id_number=number, worker_income=income, causes=causes,
        members=[archive.MemberInput(name=rng.choice(SURNAMES) + rng.choice(GIVEN), relationship=r,
                                     monthly_income=i) for r, i in members], **costs)


def _evidence(unit, household, name: str = "收入证明.pdf") -> None:
    attachments.attachment_upload(actor=unit, kind="aid.household", object_id=str(household.pk),
                                  upload=SimpleUploadedFile(name, PDF, content_type="application/pdf"))


def _through_notice(unit, reviewer, household):
    _evidence(unit, household)
    archive.household_apply(actor=unit, household=household)
    return archive.household_review(actor=reviewer, household=household, approve=True)


def _filed(unit, reviewer, household, *, today: datetime.date, filed_on: datetime.date):
    """Through the notice, its dates moved back to the paper archive's, then filed by the daily tick."""
    h = _through_notice(unit, reviewer, household)
    start = filed_on - datetime.timedelta(days=8)
    Household.objects.filter(pk=h.pk).update(notice_from=start, notice_until=filed_on - datetime.timedelta(days=1))
    archive.archive_tick(day=filed_on)
    h.refresh_from_db()
    return h


def _members(org):
    """Active members of the union, from the last ones added (the programs' demo takes the first ones)."""
    from gonghui.members.models import Membership, MembershipStatus

    for ms in (Membership.objects.filter(union=org, status=MembershipStatus.ACTIVE).select_related("person")
               .order_by("-pk")[:3]):
        yield ms.person


def seed_archive(*, today: datetime.date, rng) -> dict:
    city, township, unit = _actor("city"), _actor("chengguan"), _actor("union")
    org = unit.org
    region = (Org.objects.filter(path__in=[org.path[:i] for i in range(4, len(org.path) + 1, 4)])
              .exclude(region_code="").order_by("-depth").values_list("region_code", flat=True).first() or "330102")
    for year, monthly in ((today.year - 1, "980.00"), (today.year, "1020.00")):
        archive.standard_set(actor=city, org=city.org, year=year, monthly=monthly)
    counts = {}
    # A draft and an application waiting for 城关街道.
    _new(unit, org, rng, region, income="900", members=[("spouse", "0"), ("child", "0")], causes=["job_loss"])
    applied = _new(unit, org, rng, region, income="1200", members=[("spouse", "800"), ("child", "0")],
                   causes=["illness", "schooling"], illness_cost="600", schooling_cost="400")
    _evidence(unit, applied, "诊断证明.pdf")
    archive.household_apply(actor=unit, household=applied)
    # Under notice, held by a worker's objection sent from the public board.
    noticed = _through_notice(unit, township, _new(unit, org, rng, region, income="700",
                                                   members=[("parent", "300")], causes=["disability"],
                                                   disability_cost="200"))
    archive.objection_from_board(noticed.publication, text="据了解该职工家庭另有经营收入，请核实。")
    # Filed: 深度困难 with a card and a cadre; 相对困难; 意外致困; one overdue for review; one exited. The first three
    # are members of the union (in the registry), the others workers entered by name and ID.
    filed_on = today - datetime.timedelta(days=20)
    registry = _members(org)
    deep = _filed(unit, township, _new(unit, org, rng, region, income="600", members=[("spouse", "0"),
                                                                                     ("child", "0")],
                                       causes=["illness"], illness_cost="300", member=next(registry, None)),
                  today=today, filed_on=filed_on)
    archive.card_issue(actor=unit, household=deep, number=f"TK{today.year}{deep.pk:05d}", issued_on=filed_on)
    pairing = archive.pairing_create(actor=unit, household=deep, cadre=unit.user, started_on=filed_on)
    archive.pair_visit_add(actor=unit, pairing=pairing, visited_on=today - datetime.timedelta(days=5), cash="500",
                           goods="米、油各一袋")
    _filed(unit, township, _new(unit, org, rng, region, income="2600", members=[("spouse", "0")],
                                causes=["job_loss"], member=next(registry, None)), today=today, filed_on=filed_on)
    _filed(unit, township, _new(unit, org, rng, region, income="2400", members=[("spouse", "1800")],
                                causes=["disaster"], accident_loss="60000", compensation="20000",
                                member=next(registry, None)),
           today=today, filed_on=filed_on)
    late = _filed(unit, township, _new(unit, org, rng, region, income="800", members=[("child", "0")],
                                       causes=["other"]), today=today, filed_on=filed_on)
    # Filed over a year ago in the paper archive: its annual review is overdue (red; it rises to 城关街道's list).
    Household.objects.filter(pk=late.pk).update(filed_on=today - datetime.timedelta(days=400),
                                                review_due=today - datetime.timedelta(days=35))
    gone = _filed(unit, township, _new(unit, org, rng, region, income="1000", members=[("spouse", "500")],
                                       causes=["job_loss"]), today=today, filed_on=filed_on)
    archive.household_exit(actor=unit, household=gone, reason="本人再就业，家庭收入超过低保两倍", on=today)
    counts["tick"] = archive.archive_tick(day=today)
    counts["households"] = Household.objects.filter(org_path__startswith=org.path).count()
    return counts
