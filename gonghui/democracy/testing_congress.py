"""Shared set-up of the congress tests: a 职代会 of 东湖机械厂工会 (county A) with a few delegates."""

import datetime

from gonghui.core.access import actor_for

from . import congress as services
from . import proposals
from .models import CongressKind, Delegate

TERM_START = datetime.date(2024, 3, 1)
TERM_END = datetime.date(2029, 2, 28)
DELEGATES = [("张伟", "一车间", True, False, False), ("李娜", "一车间", True, True, False),
             ("王强", "二车间", True, False, False), ("刘芳", "二车间", False, True, False),
             ("陈杰", "技术部", False, False, False), ("赵敏", "财务部", False, True, False),
             ("孙磊", "厂部", False, False, True), ("周静", "厂部", False, True, False)]


def make_congress(cast, *, org=None, user=None, term: int = 3, delegates=DELEGATES, **extra):
    actor = actor_for(user or cast.grassroots_officer)
    congress = services.congress_create(actor=actor, org=org or cast.grassroots_a, kind=extra.pop(
        "kind", CongressKind.WORKERS), term=term, term_start=extra.pop("term_start", TERM_START),
        term_end=extra.pop("term_end", TERM_END), **extra)
    for name, unit, front, woman, manager in delegates:
        services.delegate_add(actor=actor, congress=congress, name=name, election_unit=unit, front_line=front,
                              woman=woman, manager=manager)
    return congress


def delegate(congress, name: str) -> Delegate:
    return Delegate.objects.get(congress=congress, name=name)


def submit(cast, congress, *, proposer="张伟", cosigners=("李娜", "王强"), title="关于改善一车间通风条件的提案",
           user=None, **extra):
    return proposals.proposal_submit(
        actor=actor_for(user or cast.grassroots_officer), congress=congress, proposer=delegate(congress, proposer),
        cosigners=[delegate(congress, n) for n in cosigners], title=title,
        reason=extra.pop("reason", "一车间夏季温度高，通风设备老化，职工反映强烈。"),
        suggestion=extra.pop("suggestion", "更换车间排风扇，增设降温设施。"), **extra)
