"""Evaluation polls, service level: printed codes and sent codes from set-up to a published, verified tally."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gonghui.core import notify
from gonghui.core.access import SYSTEM, actor_for
from gonghui.members.tests.factories import add_member
from gonghui.portal.models import Publication

from .. import polls
from ..models import Ballot, Electorate, Poll, PollRecipient, PollState, VotingCode
from ..testing import all_answers, home_set, make_poll

pytestmark = pytest.mark.django_db

GRADES = ("优秀", "称职", "基本称职", "不称职")


def test_printed_codes_from_setup_to_verified_tally(cast):
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=6)
    codes = polls.codes_print(actor=actor, poll=poll, count=6)
    assert len(set(codes)) == 6 and all(len(polls.clean_code(c)) == 19 for c in codes)
    assert VotingCode.objects.filter(poll=poll).count() == 6
    assert not VotingCode.objects.filter(hash__in=codes).exists()  # only hashes are kept
    # Five voters: subject 1 gets 优秀 from four and 不称职 from one on criterion 0; subject 2 gets 不称职 from two.
    plan = [lambda p, c: "优秀", lambda p, c: "优秀", lambda p, c: "优秀" if p == 1 else "不称职",
            lambda p, c: "优秀" if p == 1 else "不称职", lambda p, c: "不称职" if c == 0 else "称职"]
    receipts = [polls.vote_cast(code=codes[i], answers=all_answers(Poll.objects.get(pk=poll.pk), g))
                for i, g in enumerate(plan)]
    assert len(set(receipts)) == 5
    with pytest.raises(ValidationError, match="已使用"):
        polls.vote_cast(code=codes[0], answers=all_answers(poll, plan[0]))
    poll = polls.poll_close(actor=actor, poll=poll)
    assert poll.state == PollState.CLOSED and poll.ballots == 5 and poll.codes_unused == 1
    assert not VotingCode.objects.filter(poll=poll).exists()  # the unused code expired with the poll
    r = poll.result
    s1, s2 = r["subjects"]
    assert s1["criteria"][0]["counts"] == [4, 0, 0, 1] and s1["criteria"][1]["counts"] == [4, 1, 0, 0]
    assert s2["criteria"][0]["counts"] == [2, 0, 0, 3] and s2["criteria"][1]["counts"] == [2, 1, 0, 2]
    assert s1["criteria"][0]["rates"] == [80.0, 0, 0, 20.0]
    assert not s1["flag"] and s2["flag"]  # 3/5 and 2/5 不称职 pass one third; 1/5 does not
    assert r["valid"] and r["turnout"] == 83.3  # 5 of 6 ≥ 2/3
    with pytest.raises(ValidationError):
        polls.vote_cast(code=codes[5], answers=all_answers(poll, plan[0]))  # closed: the last code is void
    polls.poll_publish(actor=actor, poll=poll)
    found = polls.ballot_find(Poll.objects.get(pk=poll.pk), polls.format_tracking(receipts[4]))
    assert found is not None and found.answers == "42222" * 2
    assert polls.verify(Poll.objects.get(pk=poll.pk)).ok


def test_turnout_below_two_thirds_is_not_valid(cast):
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=3)
    codes = polls.codes_print(actor=actor, poll=poll, count=3)
    polls.vote_cast(code=codes[0], answers=all_answers(poll, lambda p, c: "称职"))
    poll = polls.poll_close(actor=actor, poll=poll)
    assert poll.result["ballots"] == 1 and not poll.result["valid"]


def test_printing_more_codes_than_voters_is_refused(cast):
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=4)
    polls.codes_print(actor=actor, poll=poll, count=3)
    with pytest.raises(ValidationError) as exc:
        polls.codes_print(actor=actor, poll=poll, count=2)
    assert "最多还能" in str(exc.value) or "1" in str(exc.value)
    assert Poll.objects.get(pk=poll.pk).codes_issued == 3


def test_sent_codes_reach_each_member_once_and_count_by_unit(cast, settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    officer = actor_for(cast.officer_a)
    for i, name in enumerate(("张伟", "王静", "刘洋")):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=name, phone=f"1391234{i:04d}")
    add_member(cast.grassroots_officer, cast.grassroots_a, name="赵敏")  # no phone
    add_member(cast.officer_b, cast.grassroots_b, name="孙丽", phone="13912349999")  # another county: not a voter
    poll = make_poll(cast, electorate=Electorate.MEMBERS, electorate_org=cast.county_a,
                     criteria_set=home_set(), subjects=["东湖机械厂工会"], kind="home", title="会员评议职工之家")
    with django_capture_on_commit() as run:
        sent = polls.codes_send(actor=officer, poll=poll)
    run()
    assert (sent.sent, sent.no_phone, sent.already) == (3, 1, 0)
    assert len(notify.outbox) == 3
    codes = [m.context["vote_code"] for m in notify.outbox]
    assert sorted(m.to_phone for m in notify.outbox) == ["13912340000", "13912340001", "13912340002"]
    assert PollRecipient.objects.filter(poll=poll).count() == 3
    again = polls.codes_send(actor=officer, poll=poll)
    assert (again.sent, again.already) == (0, 3)
    poll.refresh_from_db()
    assert poll.electorate_size == 4 and poll.codes_issued == 3
    for code in codes[:2]:
        polls.vote_cast(code=code, answers=all_answers(poll, lambda p, c: "满意"))
    poll = polls.poll_close(actor=officer, poll=poll)
    assert poll.result["units"] == [{"unit": "东湖机械厂工会", "sent": 3, "voted": 2, "rate": 66.7}]
    assert poll.result["turnout"] == 50.0 and not poll.result["valid"]  # 2 of 4 (one could not be reached)
    polls.poll_publish(actor=officer, poll=poll, board=True, days=10)
    pub = Publication.objects.get(kind="democracy.tally", object_id=poll.pk)
    assert pub.org == cast.county_a and len(pub.rows) == len(poll.criteria)
    assert pub.rows[0]["满意"] == "2（100.0%）"


class django_capture_on_commit:
    """Collect the on-commit callbacks of the block (the test runs in one transaction) to run them after it."""

    def __enter__(self):
        from django.db import connection

        self._start = len(connection.run_on_commit)
        return self._run

    def __exit__(self, *exc):
        from django.db import connection

        self._callbacks = [cb for _sids, cb, _robust in connection.run_on_commit[self._start:]]
        return False

    def _run(self):
        for cb in self._callbacks:
            cb()


def test_delegates_must_be_members_under_the_poll(cast):
    officer = actor_for(cast.officer_a)
    outsider = add_member(cast.officer_b, cast.grassroots_b, name="孙丽", phone="13912349999").person
    poll = make_poll(cast, electorate=Electorate.DELEGATES)
    with pytest.raises(ValidationError, match="代表"):
        polls.codes_send(actor=officer, poll=poll, delegates=[outsider])
    assert not VotingCode.objects.filter(poll=poll).exists()


def test_bad_set_up_is_refused_in_chinese(cast):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        make_poll(cast, subjects=[], opens_at=now, closes_at=now - datetime.timedelta(hours=1))
    assert "closes_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_poll(cast, subjects=[" "])
    assert "评价" in exc.value.message_dict["subjects"][0] or exc.value.message_dict["subjects"]
    with pytest.raises(ValidationError) as exc:
        make_poll(cast, size=0)
    assert "electorate_size" in exc.value.message_dict


def test_an_incomplete_ballot_keeps_the_code(cast):
    poll = make_poll(cast, size=2)
    code = polls.codes_print(actor=actor_for(cast.officer_a), poll=poll, count=1)[0]
    answers = all_answers(poll, lambda p, c: "优秀")
    answers.pop((2, 4))
    with pytest.raises(ValidationError, match="每一项"):
        polls.vote_cast(code=code, answers=answers)
    answers[(2, 4)] = "棒"  # not a grade of the scale
    with pytest.raises(ValidationError):
        polls.vote_cast(code=code, answers=answers)
    assert VotingCode.objects.filter(poll=poll).count() == 1
    for bad in ("", "ABCD", code + "A", code.replace("A", "0")[:-1] + "1"):
        with pytest.raises(ValidationError):
            polls.vote_cast(code=bad, answers=all_answers(poll, lambda p, c: "优秀"))
    assert polls.vote_cast(code=code.lower().replace("-", " "), answers=all_answers(poll, lambda p, c: "优秀"))


def test_a_poll_not_yet_open_takes_no_vote(cast):
    now = timezone.now()
    poll = make_poll(cast, opens_at=now + datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=1))
    code = polls.codes_print(actor=actor_for(cast.officer_a), poll=poll, count=1)[0]
    assert polls.poll_for_code(code) is None
    with pytest.raises(ValidationError):
        polls.vote_cast(code=code, answers=all_answers(poll, lambda p, c: "优秀"))


def test_tick_closes_polls_whose_time_is_up(cast):
    poll = make_poll(cast, size=2)
    polls.codes_print(actor=actor_for(cast.officer_a), poll=poll, count=2)
    assert polls.polls_tick(now=timezone.now())["closed"] == 0
    assert polls.polls_tick(now=poll.closes_at + datetime.timedelta(seconds=1))["closed"] == 1
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED and poll.codes_unused == 2 and poll.result["ballots"] == 0
    with pytest.raises(ValidationError):
        polls.poll_close(actor=SYSTEM, poll=poll)


def _closed_poll(cast, n=3):
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=n)
    for code in polls.codes_print(actor=actor, poll=poll, count=n):
        polls.vote_cast(code=code, answers=all_answers(poll, lambda p, c: GRADES[(p + c) % 4]))
    return polls.poll_close(actor=actor, poll=poll)


def test_verify_command_recounts_and_catches_tampering(cast):
    poll = _closed_poll(cast)
    out = StringIO()
    call_command("democracy", "verify", str(poll.pk), stdout=out)
    assert out.getvalue().strip().endswith("OK")
    assert "3" in out.getvalue()
    ballot = Ballot.objects.filter(poll=poll).first()
    Ballot.objects.filter(pk=ballot.pk).update(answers="1" * len(ballot.answers))  # a changed vote
    with pytest.raises(CommandError) as exc:
        call_command("democracy", "verify", str(poll.pk), stdout=StringIO())
    assert exc.value.returncode == 1
    Ballot.objects.filter(pk=ballot.pk).delete()  # a removed ballot: codes used ≠ ballots
    result = polls.verify(Poll.objects.get(pk=poll.pk))
    assert not result.ok and any("2" in line for line in result.lines)
    with pytest.raises(CommandError) as exc:
        call_command("democracy", "verify", "999999")
    assert exc.value.returncode == 2


def test_verify_refuses_an_open_poll(cast):
    poll = make_poll(cast)
    with pytest.raises(CommandError) as exc:
        call_command("democracy", "verify", str(poll.pk), stdout=StringIO())
    assert exc.value.returncode == 1


def test_other_county_and_grassroots_officer_cannot_run_a_poll(cast):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    poll = make_poll(cast, size=2)
    with pytest.raises(Http404):
        polls.codes_print(actor=actor_for(cast.officer_b), poll=poll, count=1)
    with pytest.raises(Http404):
        polls.poll_close(actor=actor_for(cast.grassroots_officer), poll=poll)
    with pytest.raises(PermissionDenied):
        polls.poll_close(actor=actor_for(cast.auditor_a), poll=poll)
    with pytest.raises(Http404):
        make_poll(cast, user=cast.officer_b)  # county B's officer for county A's union


def test_a_poll_follows_its_union_when_the_subtree_moves(cast):
    from gonghui.orgs.services import org_move

    poll = make_poll(cast, org=cast.township_a, size=2)
    org_move(actor=actor_for(cast.city_staff), org=cast.township_a, new_parent=cast.county_b)
    cast.township_a.refresh_from_db()
    poll.refresh_from_db()
    assert poll.org_path == cast.township_a.path and poll.org_path.startswith(cast.county_b.path)


def test_tally_reads_the_answers_joined_and_falls_back_ballot_by_ballot(cast):
    """The tally reads every ballot's answers in one string; it equals the count ballot by ballot, and a ballot of
    the wrong length (never written by vote_cast) sends it back to the count ballot by ballot."""
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=40)
    codes = polls.codes_print(actor=actor, poll=poll, count=40)
    for i, code in enumerate(codes[:30]):
        polls.vote_cast(code=code, answers=all_answers(poll, lambda p, c, i=i: GRADES[(i * p + c) % 4]))
    strings = list(Ballot.objects.filter(poll=poll).values_list("answers", flat=True))
    cells = len(strings[0])
    assert polls._answers_joined(poll, cells)[0] == 30
    assert polls.tally(poll) == polls.tally(poll, ballots=strings)
    Ballot.objects.create(tracking="ZZZZZZZZZZZZ", poll=poll, answers="1" * (cells - 1))
    assert polls._answers_joined(poll, cells) is None
    result = polls.tally(poll)
    assert result["ballots"] == 31 and result == polls.tally(poll, ballots=[*strings, "1" * (cells - 1)])
