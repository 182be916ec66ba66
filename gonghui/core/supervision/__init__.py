"""The supervision mechanism shared by casework and oversight: per-kind thresholds, colors, escalation of red
items to the parent unit's supervision list, and the one supervision list per unit (``/supervision/``).

``register_kind`` and ``color_for`` need no database; the rest is imported on first use (the models belong to
app ``core`` and load with it)."""

from .registry import Kind, get_kind, kinds, register_kind, visible_kinds

_SERVICES = ("thresholds", "Thresholds", "color_for", "reminder_due", "parent_of", "raise_item", "raise_many",
             "Raise", "open_object_ids", "resolve_items", "supervision_list", "supervision_get", "item_handle",
             "on_handle", "settings_rows", "settings_update", "BLUE", "YELLOW", "RED")

__all__ = ["Kind", "get_kind", "kinds", "register_kind", "visible_kinds", *_SERVICES]


def __getattr__(name):
    if name in _SERVICES:
        from . import services

        return getattr(services, name)
    raise AttributeError(name)
