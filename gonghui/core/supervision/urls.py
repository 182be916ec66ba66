"""``/supervision/``: the shared list, its 督办 note, and the thresholds per kind. Each view requires one of the
registered kinds' permissions, read from the registry at each request (a kind registered later counts too)."""

from django.urls import path

from gonghui.core.views import requires

from . import views
from .registry import kinds


class _KindPerms:
    """The permissions of the registered kinds (``attr``: perm, write_perm or settings_perm), for ``requires`` and
    for the links that ask a view's ``required_perms``."""

    def __init__(self, attr: str):
        self.attr = attr

    def __iter__(self):
        return iter(sorted({getattr(entry, self.attr) for entry in kinds().values()}))

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, i):
        return list(self)[i]


def _gated(view, attr: str):
    perms = _KindPerms(attr)

    def inner(request, *args, **kwargs):
        return requires(*(list(perms) or ["supervision.none"]))(view)(request, *args, **kwargs)

    inner.__name__, inner.__doc__ = view.__name__, view.__doc__
    inner.required_perms = perms
    return inner


app_name = "supervision"
urlpatterns = [
    path("supervision/", _gated(views.supervision, "perm"), name="list"),
    path("supervision/note/", _gated(views.handle, "write_perm"), name="handle"),
    path("supervision/thresholds/", _gated(views.thresholds, "settings_perm"), name="thresholds"),
]
