"""Property: over random org trees, people, cases and grants, every list, search, export and detail in every app
returns exactly the objects whose org lies in the actor's subtree (and 404 for the others).

The expected sets are computed here from the tree paths alone, never through the selectors under test.
"""

import datetime
import random
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.casework import intake
from gonghui.casework.common import local_today
from gonghui.casework.models import Case, State
from gonghui.casework.selectors import TABS, _tab_q
from gonghui.core.access import Actor
from gonghui.core.identity import id_check_char
from gonghui.core.models import Grant, Role, SecurityPolicy, SupervisionItem, User
from gonghui.core.spreadsheets import read_rows
from gonghui.members.models import Membership, Person
from gonghui.orgs.models import Kind, Org

LEVEL_AT_DEPTH = {1: "city", 2: "county", 3: "township", 4: "grassroots", 5: "branch"}
ROLES = (Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR)
CASE_STATES = (State.RECEIVED, State.IN_PROGRESS, State.REPLIED, State.CLOSED)
SAMPLE = 3  # detail pages checked per kind of object, inside and outside the scope


@dataclass
class World:
    parents: list[int | None]
    kinds: list[str]
    members: list[int]  # the org (index) of each member
    cases: list[tuple[int, str, bool]]  # org, state, overdue
    alerts: list[tuple[int, int]]  # org told, case (index modulo the cases)
    grants: list[tuple[str, int]]  # role, org
    seed: int


@st.composite
def worlds(draw) -> World:
    n = draw(st.integers(min_value=2, max_value=30))
    parents: list[int | None] = [None]
    depths = [1]
    for i in range(1, n):
        parent = draw(st.sampled_from([j for j in range(i) if depths[j] < 5]))
        parents.append(parent)
        depths.append(depths[parent] + 1)
    org = st.integers(min_value=0, max_value=n - 1)
    return World(
        parents=parents,
        kinds=draw(st.lists(st.sampled_from(Kind.values), min_size=n, max_size=n)),
        members=draw(st.lists(org, max_size=16)),
        cases=draw(st.lists(st.tuples(org, st.sampled_from(CASE_STATES), st.booleans()), max_size=12)),
        alerts=draw(st.lists(st.tuples(org, st.integers(min_value=0, max_value=50)), max_size=5)),
        grants=draw(st.lists(st.tuples(st.sampled_from(ROLES), org), min_size=1, max_size=3)),
        seed=draw(st.integers(min_value=0, max_value=2**16)),
    )


def _resident_id(i: int) -> str:
    body = f"330102{datetime.date(1970, 1, 1) + datetime.timedelta(days=i):%Y%m%d}{i % 1000:03d}"
    return body + id_check_char(body)


def _build(world: World):
    # Signed in with force_login and no authenticator, like the cast (gonghui/testing.py).
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_second_factor": False})
    orgs: list[Org] = []
    for i, (parent, kind) in enumerate(zip(world.parents, world.kinds, strict=True)):
        org = Org(code=f"P{i}", name=f"单位{i}号", kind=kind,
                  level=LEVEL_AT_DEPTH[1 if parent is None else orgs[parent].depth + 1])
        orgs.append(Org.objects.add_root(instance=org) if parent is None
                    else Org.objects.add_child(Org.objects.get(pk=orgs[parent].pk), instance=org))
    people = []
    for i, at in enumerate(world.members):
        person = Person.objects.create(id_number=_resident_id(i), name=f"会员{i}号", sex="M",
                                       phone=f"136{i:08d}")
        Membership.objects.create(person=person, union=orgs[at], org_path=orgs[at].path,
                                  joined_on=datetime.date(2020, 1, 1))
        people.append((person, orgs[at].path))
    cases = []
    today = local_today()
    desk = User.objects.create_user(username="desk")
    for i, (at, state, overdue) in enumerate(world.cases):
        actor = Actor(user=desk, grant=Grant(user=desk, role=Role.FEDERATION_STAFF, org=orgs[at]))
        case = intake.case_log(actor=actor, data={
            "channel": "phone", "category": "solution", "topic": "wages", "subject": f"诉求{i}号",
            "worker_name": f"职工{i}号", "phone": f"137{i:08d}"}).case
        now = datetime.datetime.now(datetime.UTC)
        changes = {"state": state}
        if state in (State.REPLIED, State.CLOSED):
            changes["replied_at"] = now
        if state == State.CLOSED:
            changes.update(closed_at=now, closed_on=today, days_to_close=1)
        if overdue:
            changes["due_on"] = today - datetime.timedelta(days=3)
        Case.objects.filter(pk=case.pk).update(**changes)
        cases.append((case.code, orgs[at].path))
    alerts = []
    for i, (at, which) in enumerate(world.alerts):
        if not world.cases:
            break
        code = cases[which % len(cases)][0]
        # An escalation: an item on the shared supervision list told to ``orgs[at]``.
        alert = SupervisionItem.objects.create(kind="case", object_id=Case.objects.get(code=code).pk, key=f"k{i}",
                                               title=code, holder_org=orgs[at], holder_path=orgs[at].path,
                                               told_org=orgs[at], told_path=orgs[at].path, due_on=today)
        alerts.append((alert.pk, orgs[at].path))
    actors = []
    for i, (role, at) in enumerate(world.grants):
        user = User.objects.create_user(username=f"u{i}")
        Grant.objects.create(user=user, role=role, org=orgs[at])
        actors.append((user, orgs[at].path))
    return orgs, people, cases, alerts, actors


def _inside(rows, path: str) -> set:
    return {key for key, p in rows if p.startswith(path)}


class ScopeProperty(TestCase):
    def _api_all(self, url: str, params: dict | None = None) -> list[dict]:
        items, page = [], 1
        while True:
            resp = self.client.get(url, {**(params or {}), "page": page})
            self.assertEqual(resp.status_code, 200, url)
            body = resp.json()
            items += body["items"]
            if len(items) >= body["count"]:
                return items
            page += 1

    def _listing(self, url: str, params: dict | None = None) -> set:
        resp = self.client.get(url, params or {})
        self.assertEqual(resp.status_code, 200, url)
        return resp.context["listing"]

    def _export(self, url: str, params: dict | None = None, column: int = 0) -> list:
        resp = self.client.get(url, {**(params or {}), "export": "xlsx"})
        self.assertEqual(resp.status_code, 200, url)
        return sorted(str(r[column]) for r in list(read_rows(resp.content, "x.xlsx"))[1:])

    def _details(self, rng, rows, path: str, urls) -> None:
        inside = sorted(k for k, p in rows if p.startswith(path))
        outside = sorted(k for k, p in rows if not p.startswith(path))
        for key in rng.sample(inside, min(SAMPLE, len(inside))):
            for url in urls:
                self.assertEqual(self.client.get(url.format(key)).status_code, 200, url.format(key))
        for key in rng.sample(outside, min(SAMPLE, len(outside))):
            for url in urls:
                self.assertEqual(self.client.get(url.format(key)).status_code, 404, url.format(key))

    @settings(max_examples=15, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(worlds())
    def test_every_read_returns_exactly_the_actors_subtree(self, world: World):
        orgs, people, cases, alerts, actors = _build(world)
        rng = random.Random(world.seed)
        org_rows = [(o.code, o.path) for o in orgs]
        person_rows = [(p.uid, path) for p, path in people]
        today = local_today()
        for user, path in actors:
            self.client.force_login(user)
            self._check_orgs(rng, org_rows, path)
            self._check_members(rng, people, person_rows, path)
            self._check_cases(rng, cases, alerts, path, today)

    def _check_orgs(self, rng, org_rows, path):
        expected = _inside(org_rows, path)
        listing = self._listing("/orgs/", {"status": ""})
        self.assertEqual({o.code for o in listing.queryset}, expected)
        self.assertEqual(self._export("/orgs/", {"status": ""}), sorted(expected))
        self.assertEqual({o["code"] for o in self._api_all("/api/v1/orgs")}, expected)
        resp = self.client.get("/orgs/tree/", {"q": "单位"})
        self.assertEqual({o.code for o in resp.context["results"]}, expected)
        code = rng.choice(org_rows)[0]
        resp = self.client.get("/orgs/tree/", {"q": code})
        self.assertEqual({o.code for o in resp.context["results"]}, expected & {code})
        self.assertEqual({o["code"] for o in self._api_all("/api/v1/orgs", {"q": code})}, expected & {code})
        self._details(rng, org_rows, path, ["/orgs/{}/", "/api/v1/orgs/{}"])

    def _check_members(self, rng, people, person_rows, path):
        expected = _inside(person_rows, path)
        listing = self._listing("/members/", {"status": ""})
        self.assertEqual({m.person.uid for m in listing.queryset}, expected)
        names = {p.uid: p.name for p, _path in people}
        self.assertEqual(self._export("/members/", {"status": ""}), sorted(names[u] for u in expected))
        self.assertEqual({m["uid"] for m in self._api_all("/api/v1/members")}, expected)
        if people:
            person, _p = rng.choice(people)
            listing = self._listing("/members/", {"status": "", "q": person.name})
            self.assertEqual({m.person.uid for m in listing.queryset}, expected & {person.uid})
            api = self._api_all("/api/v1/members", {"q": person.name})
            self.assertEqual({m["uid"] for m in api}, expected & {person.uid})
            # Full numbers are searched by POST only (never in an address).
            for number in (person.id_number, person.phone):
                resp = self.client.post("/members/find/", {"number": number})
                self.assertEqual({m.person.uid for m in resp.context["listing"].queryset}, expected & {person.uid})
                resp = self.client.post("/api/v1/members/find", {"number": number}, content_type="application/json")
                self.assertEqual({m["uid"] for m in resp.json()}, expected & {person.uid})
        self._details(rng, person_rows, path, ["/members/p/{}/", "/api/v1/members/{}"])

    def _check_cases(self, rng, cases, alerts, path, today):
        expected = _inside(cases, path)
        for tab in TABS:
            in_tab = set(Case.objects.filter(_tab_q(tab, today)).values_list("code", flat=True)) \
                if tab != "cohandling" else set()
            listing = self._listing("/cases/", {"tab": tab})
            self.assertEqual({c.code for c in listing.queryset}, expected & in_tab, tab)
            self.assertEqual({c["code"] for c in self._api_all("/api/v1/casework", {"tab": tab})},
                             expected & in_tab, tab)
        open_cases = set(Case.objects.filter(_tab_q("open", today)).values_list("code", flat=True))
        self.assertEqual(self._export("/cases/", {"tab": "open"}), sorted(expected & open_cases))
        resp = self.client.get("/supervision/")
        self.assertEqual({a.pk for a in resp.context["page"].paginator.object_list}, _inside(alerts, path))
        self._details(rng, cases, path, ["/cases/{}/", "/api/v1/casework/{}"])
