"""Demo: the supervision lists after the year's sweeps. The city and the demo county each record what they did
(督办) about most of the overdue items escalated to them, through the shared service; the latest ones stay to be
supervised, so the list shows both tabs. Call after the year is played (``seed_supervision(rng=gen.rng)``)."""

from django.contrib.auth import get_user_model

from gonghui.core import supervision
from gonghui.core.access import actor_for

NOTES = ("已电话督办，要求三个工作日内答复并报送办理情况", "已发督办函，限期办结", "已约谈承办单位负责人，明确办结时限",
         "已现场督办，协调相关部门共同办理", "已列入周调度会督办事项")


def seed_supervision(*, rng, users: tuple[str, ...] = ("city", "donghu"), keep_open: int = 3) -> int:
    """Notes on every item told to the users' units but the ``keep_open`` newest of each. Returns how many."""
    n = 0
    for username in users:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            continue
        actor = actor_for(user)
        items = list(supervision.supervision_list(actor, handled=False).filter(told_org=actor.org))[keep_open:]
        for item in items:
            if not actor.can(supervision.get_kind(item.kind).write_perm):
                continue
            supervision.item_handle(actor, item=item, note=rng.choice(NOTES))
            n += 1
    return n
