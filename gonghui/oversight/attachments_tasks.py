"""Key tasks take evidence files (minutes, photos, reports): the owner kind "oversight.task" for core's attachments.
A task is read within the actor's subtree; files are added by whoever may write oversight and seen by whoever may
view it. Imported with the audit labels (audit_tasks)."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.attachments import register_owner

from .models import KeyTask


def task_for_attachments(actor, object_id: str) -> KeyTask:
    object_id = str(object_id)
    if not actor.is_authenticated or not (object_id.isascii() and object_id.isdigit()) or len(object_id) > 18:
        raise Http404
    task = KeyTask.objects.filter(pk=int(object_id), org_path__startswith=actor.org.path).first()
    if task is None:
        raise Http404
    return task


register_owner(
    "oversight.task",
    label=_("Key task"),
    resolve=task_for_attachments,
    org_path=lambda task: task.org_path,
    may_attach=lambda actor, task: actor.can("oversight.write") and task.done_on is None,
    may_view=lambda actor, task: actor.can("oversight.view"),
    deletable=True,
    describe=lambda task: f"{task.year} {task.title}",
    url=lambda task: reverse("oversight:task_detail", args=[task.pk]),
)
