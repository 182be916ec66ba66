"""Files attached to the objects of every app (vouchers, evidence, applications, claims).

Apps register owner kinds (``register_owner``); core keeps the files (``storages["attachments"]``), checks their
type from the bytes (``content``), scopes every read to the actor through the owner's kind, and audits every
upload, download and deletion (``services``). The panel for a page: ``{% attachments_panel "funds.voucher" obj %}``
(templatetag library ``gonghui_attachments``)."""

# Connected with the first app that registers an owner kind (and so may have files): the storage check, and the
# tree paths that follow a moved subtree.
from . import checks, signals  # noqa: F401
from .registry import OwnerKind, owner_kind, owner_kinds, register_owner

__all__ = ["OwnerKind", "owner_kind", "owner_kinds", "register_owner"]
