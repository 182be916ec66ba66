"""A year of union work in 东湖区, played forward day by day through the real services.

Workers' requests come in at the county's and the city's front desks and online and go down the tree (to 城关街道
and on to the grassroots ``union``), each answered, followed up and closed over the days after; workers apply
online to join and are admitted, unions import their new hires, members move between unions, service cards are
activated, and officers ask for exports with full numbers that a second officer decides. Every step is the
service a person would use, at the time it would have happened (``clock.played_clock``), so the audit trail, the
timelines and the pre-aggregated figures are what that year would have left. Whatever was due after today is
still waiting: the inboxes of ``donghu``, ``chengguan`` and ``union`` have work in them.

Deterministic for a seed and the moment it ends (now): one random generator, and steps run in the order of their
time (ties by the order they were planned).
"""

import csv
import datetime
import heapq
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.orgs.models import Org

from . import data

DESKS = ("visit", "visit", "phone", "phone", "letter", "grid")
CASE_TOPICS = {
    "wages": ("拖欠工资", "所在工地拖欠{n}个月工资，多次讨要未果，要求工会协调支付。"),
    "contract": ("未签劳动合同", "入职{n}个月单位一直未签书面劳动合同，咨询如何维权。"),
    "social_insurance": ("未缴社会保险", "单位{n}个月未缴纳社会保险，要求补缴。"),
    "safety": ("车间安全隐患", "车间通风设备损坏{n}周未修，工人身体不适，请求督促整改。"),
    "union_founding": ("申请建会", "企业有职工{n}0余人，职工希望成立工会，请求指导建会。"),
    "assistance": ("困难帮扶", "家庭成员重病，{n}口人生活困难，申请帮扶。"),
}
WORKPLACES = ["临江建工集团第三项目部", "城关物流园", "东湖机械厂", "城关商贸城", "临江食品有限公司", "外卖配送站"]
REPLIES = ["经协调，用人单位同意在本月内解决，请留意后续通知。", "已督促单位整改，并将持续跟进。",
           "已为您联系法律援助律师，请按约定时间前往咨询。", "经核实，已将情况转劳动监察部门依法处理。"]
# The cases still open at the end: one left at each stage, so every inbox tab has something (dispatched and not
# yet accepted, waiting for papers, in progress, answered and not followed up, at the union); and one logged today
# at the county's desk.
LAST_STOPS = ("dispatched", "paused", "progress", "replied", "union_accepted", "union_dispatched")


def month_start(d: datetime.date, back: int) -> datetime.date:
    """The first day of the month ``back`` months before ``d``'s."""
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return datetime.date(y, m + 1, 1)


@dataclass
class Who:
    city: object
    county: object  # donghu
    town: object  # chengguan
    union: object  # the grassroots officer
    county_org: Org
    town_org: Org
    union_org: Org
    town_unions: list  # 城关街道's grassroots unions other than ``union_org``
    county_unions: list  # 东湖区's grassroots unions outside 城关街道

    def officer_for(self, org: Org):
        """Who acts for a union: its own officer, else the township's, else the county's."""
        if org.path.startswith(self.union_org.path):
            return self.union
        if org.path.startswith(self.town_org.path):
            return self.town
        return self.county


@dataclass(order=True)
class _Step:
    at: datetime.datetime
    seq: int
    run: object = field(compare=False)


class Year:
    def __init__(self, gen: data.Generator, who: Who, clock, start: datetime.date, end: datetime.datetime,
                 activity: float = 1.0):
        self.gen, self.rng, self.who, self.clock = gen, gen.rng, who, clock
        self.activity = activity  # scales the daily arrivals (1: a county's ordinary year)
        self.start, self.end = start, end
        self.today = timezone.localdate(end)
        self._agenda: list[_Step] = []
        self._seq = 0
        self.counts = {"cases": 0, "applications": 0, "imports": 0, "transfers": 0, "activations": 0,
                       "approvals": 0}

    # ---- the agenda -----------------------------------------------------------------------------------------

    def at(self, when: datetime.datetime, run) -> None:
        """Plan ``run`` for ``when``; a step due after the end of the year never runs (it is still waiting)."""
        if when <= self.end:
            self._seq += 1
            heapq.heappush(self._agenda, _Step(when, self._seq, run))

    def office_time(self, day: datetime.date, *, weekends: bool = False) -> datetime.datetime:
        """A time in office hours on ``day`` (moved to Monday from a weekend, unless the public may use it)."""
        if not weekends and day.weekday() >= 5:
            day += datetime.timedelta(days=7 - day.weekday())
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)))

    def so_far_today(self) -> datetime.datetime:
        """A time today before the end of the year (now)."""
        return min(self.office_time(self.today, weekends=True), self.end - datetime.timedelta(minutes=5))

    def later(self, when: datetime.datetime, lo: int, hi: int) -> datetime.datetime:
        """Office hours ``lo``..``hi`` days after ``when`` (the same day: a little later)."""
        days = self.rng.randint(lo, hi)
        if days == 0:
            return when + datetime.timedelta(minutes=self.rng.randint(10, 120))
        return self.office_time(timezone.localdate(when) + datetime.timedelta(days=days))

    def step(self, when: datetime.datetime, lo: int, hi: int, stop: str) -> datetime.datetime:
        """The next step of a case; a case bound for a stage (``stop``) moves briskly, so it is there by now."""
        return self.later(when, 0, 1) if stop else self.later(when, lo, hi)

    def days(self):
        day = self.start
        while day <= self.today:
            yield day
            day += datetime.timedelta(days=1)

    def play(self) -> dict:
        from gonghui.casework.tasks import casework_tick

        week = None
        while self._agenda:
            step = heapq.heappop(self._agenda)
            # The supervision sweep runs once a week, as ``gonghui tick`` would have (reminders, escalations).
            iso = timezone.localdate(step.at).isocalendar()[:2]
            if week is not None and iso != week:
                casework_tick()
            week = iso
            self.clock.set(step.at)
            step.run()
        self.clock.set(self.end)
        casework_tick()
        return self.counts

    # ---- the plan -------------------------------------------------------------------------------------------

    def plan(self) -> None:
        last_days = [self.today - datetime.timedelta(days=n) for n in range(len(LAST_STOPS) + 12, 12, -1)]
        for day in self.days():
            weekday = day.weekday() < 5
            for _ in range(self._count((0.75 if weekday else 0.15) * self.activity)):
                self.at(self.office_time(day, weekends=True), lambda: self.case_new())
            if weekday:
                for _ in range(self._count(0.6 * self.activity)):
                    self.at(self.office_time(day), lambda: self.application_new())
                if self.rng.random() < 0.2 * self.activity:
                    self.at(self.office_time(day), lambda: self.transfer_new())
            if day.day == 10 and day != self.today:
                self.at(self.office_time(day), lambda d=day: self.roster_new_hires(d))
        # This month has its share even on its first morning: new hires and a request, before the present time.
        if self.today.day <= 10:
            self.at(self.so_far_today(), lambda: self.roster_new_hires(self.today))
        self.at(self.so_far_today(), lambda: self.case_new(stop="logged"))
        for day, stop in zip(last_days, LAST_STOPS, strict=True):
            self.at(self.office_time(day), lambda s=stop: self.case_new(stop=s))
        self.plan_cards()
        self.plan_waiting()

    def _count(self, mean: float) -> int:
        """A small random count around ``mean`` (a day's arrivals)."""
        n, left = 0, mean
        while left > 0:
            if self.rng.random() < min(left, 1.0):
                n += 1
            left -= 1.0
        return n + (1 if self.rng.random() < mean / 6 else 0)

    # ---- workers' requests ----------------------------------------------------------------------------------

    def case_new(self, stop: str = "") -> None:
        from gonghui.casework import intake
        from gonghui.casework.intake import REQUEST_NOTICE_VERSION

        rng, who = self.rng, self.who
        person = data.person_row(self.gen, who.county_org.region_code or data.CITY[1], "enterprise",
                                 datetime.date(2010, 1, 1))
        topic = rng.choice(sorted(CASE_TOPICS))
        subject, description = CASE_TOPICS[topic]
        fields = {"topic": topic, "subject": subject, "description": description.format(n=rng.randint(2, 5)),
                  "worker_name": person["name"], "phone": person["phone"], "workplace": rng.choice(WORKPLACES),
                  "category": "consultation" if topic == "contract" else "solution"}
        roll = rng.random()
        if stop or roll < 0.45:
            desk, channel = who.county, rng.choice(DESKS)
        elif roll < 0.57:
            desk, channel = who.city, rng.choice(DESKS)
        elif roll < 0.67:
            desk, channel = who.town, rng.choice(DESKS)
        elif roll < 0.72:
            desk, channel = who.union, rng.choice(DESKS[:4])
        else:
            desk, channel = None, ""
        if desk is None:
            result = intake.case_file_public(org=who.county_org, data=fields, consent_version=REQUEST_NOTICE_VERSION,
                                             ip=None, mobile=rng.random() < 0.8)
            desk = who.county
        else:
            result = intake.case_log(actor=desk, data={
                **fields, "channel": channel, "complexity": "general", "source_note": "", "note": "",
                "people": rng.choice([1, 1, 1, 2, 3, 6]) if channel == "visit" else 1, "received_on": None})
        if result.linked:
            return  # a repeat contact on an open case: added to it
        self.counts["cases"] += 1
        case = result.case
        now = self.clock()
        if desk is not who.county:  # the city, the township and the union handle what comes to their own desk
            self.at(self.step(now, 0, 1, stop), lambda: self._accept(case, desk, stop))
        elif stop == "logged":
            return
        elif stop or rng.random() < 0.7:
            self.at(self.step(now, 0, 1, stop), lambda: self._dispatch(case, who.county, who.town_org, stop))
        else:
            self.at(self.step(now, 0, 1, stop), lambda: self._accept(case, who.county, stop))

    def _dispatch(self, case, actor, to: Org, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_dispatch(actor=actor, case=case, to=to, note="请核实办理。")
        if stop == "dispatched":
            return
        to_actor = self.who.union if to == self.who.union_org else self.who.town
        self.at(self.step(self.clock(), 0, 1, stop), lambda: self._accept(case, to_actor, stop))

    def _accept(self, case, actor, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_accept(actor=actor, case=case)
        if stop == "union_accepted" and actor is self.who.union:
            return
        if actor is self.who.town and (stop in ("union_accepted", "union_dispatched")
                                       or (not stop and self.rng.random() < 0.2)):
            if stop == "union_dispatched":
                cases.case_dispatch(actor=actor, case=case, to=self.who.union_org, note="请基层工会核实办理。")
                return
            self.at(self.step(self.clock(), 0, 1, stop),
                    lambda: self._dispatch(case, actor, self.who.union_org, stop))
            return
        if stop == "paused" or (not stop and self.rng.random() < 0.1):
            self.at(self.step(self.clock(), 0, 1, stop), lambda: self._pause(case, actor, stop))
            return
        self.at(self.step(self.clock(), 0, 2, stop), lambda: self._progress(case, actor, stop))

    def _pause(self, case, actor, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_pause(actor=actor, case=case, missing=["劳动合同或工资条复印件", "身份证复印件"])
        if stop != "paused":
            self.at(self.step(self.clock(), 2, 6, stop), lambda: self._resume(case, actor, stop))

    def _resume(self, case, actor, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_resume(actor=actor, case=case)
        self.at(self.step(self.clock(), 0, 2, stop), lambda: self._progress(case, actor, stop))

    def _progress(self, case, actor, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_progress(actor=actor, case=case, note="已约谈用人单位，正在协调。")
        if stop == "progress":
            return
        self.at(self._reply_time(case, stop), lambda: self._reply(case, actor, stop))

    def _reply_time(self, case, stop: str) -> datetime.datetime:
        """Most are answered by their due date; one in ten takes longer (the on-time rate is not 100%)."""
        from gonghui.casework.models import Case

        now = self.clock()
        due = Case.objects.filter(pk=case.pk).values_list("due_on", flat=True).first()
        if stop or due is None:
            return self.step(now, 1, 4, stop)
        today = timezone.localdate(now)
        if self.rng.random() < 0.1:
            day = max(due, today) + datetime.timedelta(days=self.rng.randint(1, 8))
        else:
            span = max((due - today).days, 0)
            day = today + datetime.timedelta(days=self.rng.randint(min(1, span), span))
            if day.weekday() >= 5:  # answered on the Friday before rather than after the weekend
                day -= datetime.timedelta(days=day.weekday() - 4)
        return max(self.office_time(day), now + datetime.timedelta(minutes=30))

    def _reply(self, case, actor, stop: str) -> None:
        from gonghui.casework import services as cases

        cases.case_reply(actor=actor, case=case, reply=self.rng.choice(REPLIES))
        if stop == "replied":
            return
        self.at(self.step(self.clock(), 1, 4, stop), lambda: self._close(case, actor))

    def _close(self, case, actor) -> None:
        from gonghui.casework import services as cases

        roll = self.rng.random()
        satisfaction = "satisfied" if roll < 0.72 else ("basic" if roll < 0.92 else "dissatisfied")
        cases.case_follow_up(actor=actor, case=case, satisfaction=satisfaction, note="电话回访。")
        # A worker left dissatisfied had the request answered and explained, not the problem solved.
        cases.case_close(actor=actor, case=case, solved=satisfaction != "dissatisfied")

    # ---- joining ----------------------------------------------------------------------------------------------

    def _pick_union(self) -> Org | None:
        """A union in 东湖区 that still has employees who are not members (a few tries; None if none had)."""
        who = self.who
        for _ in range(4):
            roll = self.rng.random()
            if roll < 0.15:
                union = who.union_org
            elif roll < 0.6:
                union = self.rng.choice(who.town_unions)
            else:
                union = self.rng.choice(who.county_unions)
            if self._room(union) > 0:
                return union
        return None

    def _room(self, union: Org) -> int:
        from gonghui.members.models import Membership, MembershipStatus

        members = Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE).count()
        return Org.objects.get(pk=union.pk).employee_count - members

    def application_new(self, union: Org | None = None, decide: bool = True) -> None:
        from gonghui.members import applications

        union = union or self._pick_union()
        if union is None:
            return
        row = data.person_row(self.gen, union.region_code or data.CITY[1], union.kind, datetime.date(2020, 1, 1))
        person = {k: row[k] for k in ("name", "id_number", "sex", "birth_date", "phone", "ethnicity", "education",
                                      "political_status", "job_title", "is_migrant_worker", "is_new_employment",
                                      "is_dispatched")}
        try:
            application = applications.application_submit(
                union=union, data={**person, "doc_type": "resident_id", "employment_form": ""},
                consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
        except ValidationError:
            return  # a generated ID number that is already a member's (the worker would be told so)
        self.counts["applications"] += 1
        if decide:
            actor = self.who.officer_for(union)
            self.at(self.later(self.clock(), 1, 6), lambda: self._decide(application, actor))

    def _decide(self, application, actor) -> None:
        from gonghui.members import applications

        if self.rng.random() < 0.08:
            applications.application_reject(actor=actor, application=application,
                                            reason="所填工作单位与本工会不符，请向所在单位工会申请。")
            return
        try:
            applications.application_approve(actor=actor, application=application)
        except ValidationError:  # became a member elsewhere meanwhile (a roster import)
            applications.application_reject(actor=actor, application=application,
                                            reason="已是其他工会会员，请办理转会。")

    def roster_new_hires(self, day: datetime.date) -> None:
        """Two unions bring in the month's new hires with a roster file, as they do after a hiring round, and
        record their grown headcount."""
        from gonghui.members.roster import roster_import
        from gonghui.orgs.services import org_update

        first = day.replace(day=1)
        for union in (self.rng.choice(self.who.town_unions), self.rng.choice(self.who.county_unions)):
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=ROSTER_FIELDS)
            writer.writeheader()
            for _ in range(self.rng.randint(4, 10)):
                row = data.person_row(self.gen, union.region_code or data.CITY[1], union.kind, first, latest=day)
                row["joined_on"] = self.gen.date_between(first, day)
                writer.writerow(roster_row(row))
            officer = self.who.officer_for(union)
            result = roster_import(actor=officer, union=union, data=out.getvalue().encode(),
                                   filename=f"{union.code}-{day:%Y%m}.csv", skip_invalid=True)
            self.counts["imports"] += result.created
            union.refresh_from_db()
            org_update(actor=officer, org=union, employee_count=union.employee_count + result.created)

    # ---- transfers ----------------------------------------------------------------------------------------------

    def _member_of(self, union: Org):
        from gonghui.members.models import Membership, MembershipStatus
        from gonghui.members.transfers import OPEN

        qs = (Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE)
              .exclude(transfers_out__status__in=OPEN).order_by("id"))
        n = qs.count()
        return qs[self.rng.randrange(n)] if n else None

    def transfer_new(self, origin: Org | None = None, to: Org | None = None, *, by_member: bool = False,
                     decide: bool = True) -> None:
        from gonghui.members import transfers

        origin = origin or self._pick_union()
        to = to or self._pick_union()
        if origin is None or to is None:
            return
        membership = self._member_of(origin) if origin != to else None
        if membership is None:
            return
        if by_member or self.rng.random() < 0.2:
            person = membership.person
            t = transfers.transfer_request_by_member(id_number=person.id_number, phone_last4=person.phone[-4:],
                                                     to_code=to.code, note="工作调动。")
            if decide:
                self.at(self.later(self.clock(), 1, 4), lambda: self._release(t, origin, to))
        else:
            t = transfers.transfer_request_by_origin(actor=self.who.officer_for(origin), membership=membership,
                                                     to_code=to.code, note="工作调动。")
            if decide:
                self.at(self.later(self.clock(), 1, 8), lambda: self._accept_transfer(t, to))
        self.counts["transfers"] += 1

    def _release(self, t, origin: Org, to: Org) -> None:
        from gonghui.members import transfers

        transfers.transfer_release(actor=self.who.officer_for(origin), transfer=t)
        self.at(self.later(self.clock(), 1, 6), lambda: self._accept_transfer(t, to))

    def _accept_transfer(self, t, to: Org) -> None:
        from gonghui.members import transfers

        try:
            transfers.transfer_accept(actor=self.who.officer_for(to), transfer=t)
        except ValidationError:  # the membership ended meanwhile
            transfers.transfer_refuse(actor=self.who.officer_for(to), transfer=t, reason="会员关系已终止。")

    # ---- service cards ---------------------------------------------------------------------------------------

    def plan_cards(self) -> None:
        """Cards issued across 城关街道 at the start of the year; about two in five of them activated over the
        months (most early on), and the new members' cards issued each quarter."""
        from gonghui.members.cards import cards_issue

        self.clock.set(timezone.make_aware(datetime.datetime.combine(self.start, datetime.time(8, 0))))
        try:
            batch = cards_issue(actor=self.who.town, union=self.who.town_org)
        except ValidationError:  # no members to issue cards to (a seed with --members 0)
            return
        total = (self.today - self.start).days
        for card in batch.cards.order_by("number"):
            if self.rng.random() < 0.4:
                offset = int(total * self.rng.random() ** 1.6)
                self.at(self.office_time(self.start + datetime.timedelta(days=offset)),
                        lambda c=card: self._activate(c))
        for card in batch.cards.order_by("-number")[:3]:  # this month's, before now
            self.at(self.so_far_today(), lambda c=card: self._activate(c))
        for back in (9, 6, 3):
            day = month_start(self.today, back) + datetime.timedelta(days=14)
            self.at(self.office_time(day), self._issue_new)

    def _activate(self, card) -> None:
        from gonghui.members.cards import card_activate_by_officer
        from gonghui.members.models import CardStatus, MembershipStatus

        card.refresh_from_db()
        if card.status == CardStatus.ISSUED and card.membership.status == MembershipStatus.ACTIVE:
            card_activate_by_officer(actor=self.who.officer_for(card.membership.union), card=card)
            self.counts["activations"] += 1

    def _issue_new(self) -> None:
        from gonghui.members.cards import cards_issue

        try:
            batch = cards_issue(actor=self.who.town, union=self.who.town_org)
        except ValidationError:
            return
        for card in batch.cards.order_by("number"):
            if self.rng.random() < 0.5:
                self.at(self.later(self.clock(), 3, 40), lambda c=card: self._activate(c))

    # ---- what waits at the end ----------------------------------------------------------------------------------

    def plan_waiting(self) -> None:
        """In the last days: applications, transfers and export approvals that nobody has decided yet, a few
        for each of ``union``, ``chengguan`` and ``donghu``."""
        who = self.who
        days = [self.today - datetime.timedelta(days=n) for n in (3, 2, 1, 0)]
        for i, day in enumerate(days[:3]):
            for union in (who.union_org, who.town_unions[i % len(who.town_unions)],
                          who.county_unions[i % len(who.county_unions)]):
                self.at(self.office_time(day, weekends=True),
                        lambda u=union: self.application_new(union=u, decide=False))
            # Released by the origin, waiting for the destination to accept.
            self.at(self.office_time(day, weekends=True), lambda i=i: self.transfer_new(
                origin=who.county_unions[(i + 3) % len(who.county_unions)], to=who.union_org, decide=False))
            self.at(self.office_time(day, weekends=True), lambda i=i: self.transfer_new(
                origin=who.county_unions[(i + 5) % len(who.county_unions)],
                to=who.town_unions[(i + 1) % len(who.town_unions)], decide=False))
            self.at(self.office_time(day, weekends=True), lambda i=i: self.transfer_new(
                origin=who.union_org, to=who.county_unions[(i + 7) % len(who.county_unions)], decide=False))
        # Asked by a member on the portal, waiting for their union to release them.
        self.at(self.so_far_today(), lambda: self.transfer_new(
            origin=who.union_org, to=who.town_unions[-1], by_member=True, decide=False))
        # Exports with full numbers, each waiting for a second officer covering the unit.
        asks = [(who.union, who.union_org, "年度会员信息核对"), (who.town, who.union_org, "会员服务卡补办核对"),
                (who.county, who.town_org, "街道会员名册年度核查"), (who.town, who.town_org, "困难职工帮扶名单核对"),
                (who.city, who.county_org, "全区会员统计年报核对"), (who.union, who.union_org, "工会换届会员名册"),
                (who.town, who.union_org, "会员转会信息核对"), (who.town, who.union_org, "职工互助保障参保核对")]
        for n, (maker, org, reason) in enumerate(asks):
            self.at(self.office_time(days[n % 3], weekends=True),
                    lambda m=maker, o=org, r=reason: self.export_ask(m, o, r))
        # Earlier in the year: asked, and decided by the second officer.
        for back, (maker, org, reason), checker in ((8, asks[0], who.town), (5, asks[2], who.town),
                                                    (2, asks[1], who.union)):
            when = self.office_time(month_start(self.today, back) + datetime.timedelta(days=5))
            self.at(when, lambda m=maker, o=org, r=reason, c=checker: self.export_ask(m, o, r, checker=c))

    def export_ask(self, maker, org: Org, reason: str, checker=None) -> None:
        from gonghui.core import approvals

        approval = approvals.approval_request(actor=maker, kind=approvals.MEMBERS_EXPORT, org=org,
                                              payload={"filters": {"status": "active"}}, reason=reason)
        self.counts["approvals"] += 1
        if checker is not None:
            def decide():
                if self.rng.random() < 0.7:
                    approvals.approval_approve(actor=checker, approval=approval, note="同意，仅限本次核对使用。")
                else:
                    approvals.approval_reject(actor=checker, approval=approval, note="请缩小导出范围后重新申请。")
            self.at(self.later(self.clock(), 0, 2), decide)


ROSTER_FIELDS = ["name", "id_number", "sex", "birth_date", "phone", "ethnicity", "education", "political_status",
                 "joined_on", "job_title", "is_migrant_worker", "is_new_employment", "is_dispatched"]


def roster_row(row: dict) -> dict:
    """A generated person as a union's roster file writes them (性别 男/女, flags 是/否)."""
    row = dict(row)
    row["sex"] = "男" if row["sex"] == "M" else "女"
    for flag in ("is_migrant_worker", "is_new_employment", "is_dispatched"):
        row[flag] = "是" if row[flag] else "否"
    return row


def cast(users: dict) -> Who:
    town_org = Org.objects.get(code="LJ-DH-01")
    county_org = Org.objects.get(code="LJ-DH")
    union = actor_for(users["union"])
    grassroots = Org.objects.filter(level="grassroots").order_by("path")
    # A small tree (--per-township 1) has no other unions there: the union itself stands in.
    town_unions = list(grassroots.filter(path__startswith=town_org.path).exclude(pk=union.org.pk)) or [union.org]
    county_unions = list(grassroots.filter(path__startswith=county_org.path).exclude(
        path__startswith=town_org.path)) or town_unions
    return Who(
        city=actor_for(users["city"]), county=actor_for(users["donghu"]), town=actor_for(users["chengguan"]),
        union=union, county_org=county_org, town_org=town_org, union_org=union.org,
        town_unions=town_unions, county_unions=county_unions)
