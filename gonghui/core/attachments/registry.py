"""The kinds of object files may be attached to. Core never imports the apps: each app registers its owner kinds
(``register_owner("funds.voucher", ...)`` in the app's ``attachments_<app>`` module, imported by its AppConfig)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404

_KIND = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class OwnerKind:
    kind: str
    label: object  # what the owner is, in Chinese once translated ("记账凭证")
    # resolve(actor, object_id) -> the object, read within the actor's scope; Http404 outside it or when missing.
    resolve: Callable[[object, str], object]
    org_path: Callable[[object], str]  # the tree path of the unit the object belongs to
    may_attach: Callable[[object, object], bool]  # (actor, obj): may upload (and delete, when deletable)
    may_view: Callable[[object, object], bool]  # (actor, obj): may list and download
    deletable: bool | Callable[[object], bool] = True  # False: files stay for good (a posted voucher's)
    describe: Callable[[object], str] = str  # the object's name on the attachments page ("记-0001")
    url: Callable[[object], str] | None = None  # the object's own page, when it has one
    # on_count(obj, delta): called in the upload's or deletion's transaction (a counter column kept with F()).
    on_count: Callable[[object, int], None] | None = None

    def is_deletable(self, obj) -> bool:
        return self.deletable(obj) if callable(self.deletable) else bool(self.deletable)

    def object_id(self, obj) -> str:
        return str(obj.pk)


_OWNERS: dict[str, OwnerKind] = {}


def register_owner(kind: str, *, resolve, org_path, may_attach, may_view, label, deletable=True, describe=str,
                   url=None, on_count=None) -> OwnerKind:
    """Let files be attached to objects of ``kind`` ("app.thing"). Registering the same kind again replaces it."""
    if not _KIND.match(kind) or len(kind) > 40:
        raise ValueError(f"owner kind {kind!r} must look like 'app.thing' (lower case, at most 40 characters)")
    owner = OwnerKind(kind=kind, label=label, resolve=resolve, org_path=org_path, may_attach=may_attach,
                      may_view=may_view, deletable=deletable, describe=describe, url=url, on_count=on_count)
    _OWNERS[kind] = owner
    return owner


def owner_kind(kind: str) -> OwnerKind:
    """The registered kind; an unknown one is answered like a missing object."""
    try:
        return _OWNERS[kind]
    except KeyError:
        raise Http404 from None


def owner_kinds() -> dict[str, OwnerKind]:
    return dict(_OWNERS)
