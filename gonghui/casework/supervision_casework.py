"""Casework's kind on the shared supervision list: a worker's request overdue in a unit rises to its parent's list
(``gonghui.core.supervision``); the 督办 note is also a line on the case's timeline and in its audit trail."""

from django.utils.translation import gettext_lazy as _

from gonghui.core import supervision

from .deadlines import BLUE_WITHIN

KIND = "case"

supervision.register_kind(KIND, label=_("Request"), perm="case.view", write_perm="case.write",
                          settings_perm="case.policy", blue_within=BLUE_WITHIN, remind_before=BLUE_WITHIN,
                          url_name="casework:detail")


def _on_handle(actor, item, note, at) -> None:
    from .common import add_event, record
    from .models import Action, Case

    case = Case.objects.filter(pk=item.object_id).first()
    if case is None:
        return
    add_event(case, actor=actor, action=Action.SUPERVISED, note=note, org=item.told_org, at=at)
    record(actor, Case(code=case.code, org_path=item.told_path, state=case.state), "supervise",
           org=item.told_org.code)


supervision.on_handle(KIND, _on_handle)
