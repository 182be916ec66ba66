"""``/supervision/``: the shared list, its 督办 note, and the thresholds per kind. Each view requires one of the
registered kinds' permissions (the kinds register in their apps' ``ready()``, before the URLs load)."""

from django.urls import path

from gonghui.core.views import requires

from . import views
from .registry import kinds


def _gated(view, attr: str):
    perms = sorted({getattr(entry, attr) for entry in kinds().values()}) or ["supervision.none"]
    return requires(*perms)(view)


app_name = "supervision"
urlpatterns = [
    path("supervision/", _gated(views.supervision, "perm"), name="list"),
    path("supervision/note/", _gated(views.handle, "write_perm"), name="handle"),
    path("supervision/thresholds/", _gated(views.thresholds, "settings_perm"), name="thresholds"),
]
