"""The kinds of supervised things (a worker's request, a rectification measure, an inspection's item...).

Each app registers its kind once (in its ``ready()``): the label shown on the shared supervision list, the
permission needed to see its items there (and to write the 督办 note, to edit its thresholds), its default
thresholds in working days, and the URL name of an item's page.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    perm: str  # sees the kind's items on the supervision list
    write_perm: str  # records the supervision note (督办)
    settings_perm: str  # edits the kind's thresholds
    blue_within: int  # blue: due within this many working days
    remind_before: int  # the reminder before the deadline: this many working days before it
    url_name: str  # the page of one supervised object


_KINDS: dict[str, Kind] = {}


def register_kind(kind: str, *, label, perm: str, blue_within: int, remind_before: int, url_name: str,
                  write_perm: str = "", settings_perm: str = "") -> Kind:
    """Register (or re-register, same values) a kind. ``write_perm`` defaults to ``perm`` with ``.write`` for
    ``.view``; ``settings_perm`` to the app's ``.settings``."""
    if not kind or len(kind) > 20:
        raise ValueError(f"bad supervision kind {kind!r}")
    if blue_within < 0 or remind_before < 0:
        raise ValueError("thresholds are working days, 0 or more")
    app = perm.split(".", 1)[0]
    entry = Kind(kind, label, perm, write_perm or f"{app}.write", settings_perm or f"{app}.settings",
                 int(blue_within), int(remind_before), url_name)
    _KINDS[kind] = entry
    return entry


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def get_kind(kind: str) -> Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"supervision kind {kind!r} is not registered") from None


def visible_kinds(actor) -> list[str]:
    """The kinds whose items the actor may see."""
    return [k for k, entry in _KINDS.items() if actor.can(entry.perm)]
