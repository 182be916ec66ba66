"""What the audit screen shows instead of raw codes: a label per action, per object type and per detail key.

Each app registers the actions it records (in its ``audit_catalog`` module, imported by its AppConfig.ready), and a
resolver per object type it owns that turns a page's object ids into names and links, in one query per type and
scoped to the reader. Core never imports the apps; it only reads what they registered.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .templatetags.gonghui_links import may_open


@dataclass(frozen=True)
class ActionLabel:
    code: str
    label: str
    group: str
    object_type: str = ""
    details: dict = field(default_factory=dict)  # key -> label, or (label, fn(value) -> str)


@dataclass(frozen=True)
class DisplayedObject:
    text: str
    url: str = ""


# fn(actor, ids) -> {id: DisplayedObject}: only the ids the actor may see get a link; others may get a name.
Resolver = Callable[[object, list[str]], dict[str, DisplayedObject]]

_ACTIONS: dict[str, ActionLabel] = {}
_GROUPS: dict[str, object] = {}
_OBJECT_TYPES: dict[str, object] = {}
_RESOLVERS: dict[str, Resolver] = {}
_DETAILS: dict[str, tuple] = {}
_ACTORS: dict[str, object] = {}


def register_group(key: str, label) -> None:
    _GROUPS[key] = label


def register(action: str, label, *, group: str, object_type: str = "", details: dict | None = None) -> None:
    """Label one action code. ``details`` labels (and formats) detail keys special to this action."""
    _ACTIONS[action] = ActionLabel(action, label, group, object_type, dict(details or {}))


def register_object_type(object_type: str, label, resolver: Resolver | None = None) -> None:
    _OBJECT_TYPES[object_type] = label
    if resolver is not None:
        _RESOLVERS[object_type] = resolver


def register_detail(key: str, label, fmt: Callable | None = None) -> None:
    """A detail key's label wherever it appears (``reason``, ``union``), with an optional formatter."""
    _DETAILS[key] = (label, fmt)


def register_actor(name: str, label) -> None:
    """The label of an actor that is not a user (the public pages, a scheduled sweep)."""
    _ACTORS[name] = label


def choices(enum_or_dict) -> Callable:
    """A formatter showing a TextChoices value (or a dict's) by its label."""
    mapping = dict(enum_or_dict.choices) if hasattr(enum_or_dict, "choices") else dict(enum_or_dict)
    return lambda value: str(mapping.get(value, value))


def actions() -> dict[str, ActionLabel]:
    return dict(_ACTIONS)


def groups() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in _GROUPS.items()]


def group_actions(group: str) -> list[str]:
    return [code for code, a in _ACTIONS.items() if a.group == group]


def action_label(code: str) -> str:
    a = _ACTIONS.get(code)
    # An unregistered code still shows, marked, so a missing label is seen rather than hidden.
    return str(a.label) if a else _("Unlabelled action (%(code)s)") % {"code": code}


def group_label(code: str) -> str:
    a = _ACTIONS.get(code)
    return str(_GROUPS.get(a.group, "")) if a else ""


def object_type_label(object_type: str) -> str:
    return str(_OBJECT_TYPES.get(object_type, object_type))


def actor_label(name: str) -> str | None:
    label = _ACTORS.get(name)
    return str(label) if label is not None else None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def format_value(value) -> str:
    """A detail value in Chinese: booleans 是/否, dates 2026年3月5日, times in Asia/Shanghai, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(format_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{_detail_label(k, None)}：{format_value(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and _DATE.match(value):
        try:  # a value someone typed ("2026-02-30" in a search box) is shown as typed
            d = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{d.year}年{d.month}月{d.day}日"
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _detail_label(key: str, action: ActionLabel | None) -> str:
    spec = (action.details.get(key) if action else None) or _DETAILS.get(key)
    if spec is None:
        return key
    return str(spec[0] if isinstance(spec, tuple) else spec)


def _detail_format(key: str, action: ActionLabel | None) -> Callable:
    for spec in ((action.details.get(key) if action else None), _DETAILS.get(key)):
        if isinstance(spec, tuple) and spec[1] is not None:
            fmt = spec[1]
            return lambda v, fmt=fmt: "、".join(fmt(x) for x in v) if isinstance(v, list) else fmt(v)
    return format_value


def detail_rows(code: str, details: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for an event's details, in the order they were recorded."""
    action = _ACTIONS.get(code)
    return [(_detail_label(k, action), _detail_format(k, action)(v)) for k, v in (details or {}).items()]


def unlabelled_detail_keys(code: str, details: dict) -> list[str]:
    action = _ACTIONS.get(code)
    return [k for k in (details or {}) if not ((action and k in action.details) or k in _DETAILS)]


def resolve_objects(actor, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DisplayedObject]:
    """Names and links for (object type, id) pairs: one resolver call per type, whatever the number of rows."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in pairs:
        if object_type and object_id:
            by_type[object_type].add(object_id)
    out: dict[tuple[str, str], DisplayedObject] = {}
    for object_type, ids in by_type.items():
        resolver = _RESOLVERS.get(object_type)
        found = resolver(actor, sorted(ids)) if resolver else {}
        for object_id in ids:
            shown = found.get(object_id) or DisplayedObject(object_id)
            # In scope is not enough for a link: the reader must also hold the page's permission (an audit
            # administrator reads the trail but opens no union's record).
            if shown.url and not may_open(actor, shown.url):
                shown = DisplayedObject(shown.text)
            out[(object_type, object_id)] = shown
    return out
