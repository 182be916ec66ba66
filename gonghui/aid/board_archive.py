"""The archive's 公示 on the public board: the notice kind "aid.notice", whose respond handler takes a worker's
objection from the public page."""

from django.utils.translation import gettext_lazy as _

from gonghui.portal.publications import register_kind


def _respond(publication, *, text: str, contact: str = "", ip: str | None = None) -> None:
    from .archive import objection_from_board

    objection_from_board(publication, text=text, contact=contact, ip=ip)


register_kind("aid.notice", label=_("Hardship file notices (困难职工建档公示)"), respond=_respond,
              respond_label=_("Raise an objection"))
