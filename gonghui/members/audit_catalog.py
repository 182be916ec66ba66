"""The audit labels of the member registry, joining, transfers and service cards, and their objects by name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core import import_jobs
from gonghui.core.audit_labels import (
    DisplayedObject,
    choices,
    register,
    register_group,
    register_object_type,
)

from .models import MembershipStatus, Person


def _persons(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .selectors import membership_scope

    visible = set(membership_scope(actor=actor).filter(person__uid__in=ids).values_list("person__uid", flat=True))
    return {uid: DisplayedObject(name, reverse("members:detail", args=[uid]))
            for uid, name in Person.objects.filter(uid__in=visible).values_list("uid", "name")}


def _applications(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .applications import application_scope

    return {code: DisplayedObject(f"{name}（{code}）", reverse("members:application", args=[code]))
            for code, name in application_scope(actor=actor).filter(code__in=ids).values_list("code", "name")}


def _transfers(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .transfers import person_visible, transfer_scope

    # The member's name only where the transfer's own page shows it: a destination that typed an ID number learns
    # who holds it only once the origin released.
    found = transfer_scope(actor=actor).filter(code__in=ids).select_related("person")
    return {t.code: DisplayedObject(f"{t.person.name}（{t.code}）" if person_visible(actor, t) else t.code,
                                    reverse("members:transfer", args=[t.code])) for t in found}


def _cards(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .cards import card_scope

    rows = card_scope(actor=actor).filter(number__in=ids).values_list("number", "membership__person__name")
    return {number: DisplayedObject(f"{number}（{name}）", reverse("members:card", args=[number]))
            for number, name in rows}


register_group("members", _("Members"))
register_group("transfers", _("Transfers"))
register_group("cards", _("Service cards"))

register_object_type("person", _("Member"), _persons)
register_object_type("membership", _("Member list"))
register_object_type("join_application", _("Join application"), _applications)
register_object_type("transfer", _("Transfer"), _transfers)
register_object_type("card", _("Service card"), _cards)
register_object_type("card_batch", _("Batch of service cards"))

_VIA = (_("Requested via"), choices({"origin": _("Origin union"), "destination": _("Destination union"),
                                     "member": _("The member, online"), "officer": _("Union officer")}))
_SIDE = (_("Side"), choices({"origin": _("Origin union"), "destination": _("Destination union")}))

M = "members"
register("member.add", _("Member added"), group=M, object_type="person",
         details={"source": (_("Source"), choices({"manual": _("Entered by staff"), "import": _("Roster import"),
                                                   "online": _("Online application"), "transfer": _("Transfer")}))})
register("member.update", _("Member details changed"), group=M, object_type="person")
register("member.leave", _("Membership ended"), group=M, object_type="person",
         details={"status": (_("Status"), choices(MembershipStatus))})
register("member.import", _("Members imported"), group=M, object_type="org",
         details={"file": _("File"), "created": _("Created"), "updated": _("Updated"), "unchanged": _("Unchanged"),
                  "refused": _("Refused"), "skip_invalid": _("Invalid rows skipped"),
                  "over_employees": _("Members would exceed employees"),
                  "accept_over_employees": _("Officer confirmed members above employees")})
_JOB = {"file": _("File"), "union": _("Union")}
register("member.import_cancel", _("Roster import cancelled"), group=M, object_type="import_job", details=_JOB)
register("member.import_retry", _("Interrupted roster import run again"), group=M, object_type="import_job",
         details=_JOB)
register("member.import_interrupted", _("Roster import interrupted (worker stopped): nothing written"), group=M,
         object_type="import_job", details=_JOB)
# The file is kept, so an interrupted roster job (kind ``roster.KIND``) is offered a retry, on screen and API.
import_jobs.register("members.roster", action="member.import_interrupted", message=_(
    "The import was interrupted (its background worker stopped); nothing was written. Retry it or cancel it."))
register("member.application.submit", _("Join application submitted online"), group=M,
         object_type="join_application", details={"notice_version": _("Notice version")})
register("member.application.approve", _("Join application approved"), group=M, object_type="join_application")
register("member.application.reject", _("Join application rejected"), group=M, object_type="join_application")

T = "transfers"
_T = {"via": _VIA, "side": _SIDE, "found": _("Union found"), "on": _("Transfer date")}
register("transfer.request", _("Transfer requested"), group=T, object_type="transfer", details=_T)
register("transfer.release", _("Transfer released by the origin union"), group=T, object_type="transfer", details=_T)
register("transfer.accept", _("Transfer accepted by the destination union"), group=T, object_type="transfer",
         details=_T)
register("transfer.refuse", _("Transfer refused"), group=T, object_type="transfer", details=_T)
register("transfer.cancel", _("Transfer cancelled"), group=T, object_type="transfer", details=_T)

C = "cards"
register("card.batch_issue", _("Service cards issued"), group=C, object_type="card_batch")
register("card.activate", _("Service card activated"), group=C, object_type="card", details={"via": _VIA})
register("card.lost", _("Service card reported lost"), group=C, object_type="card")
register("card.reissue", _("Service card reissued"), group=C, object_type="card",
         details={"replaces": _("Replaces card")})
register("card.cancel", _("Service card cancelled"), group=C, object_type="card")
