"""Every action code the code base records has a Chinese label, and details render as labelled Chinese values."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from gonghui.core import audit_labels

ROOT = Path(__file__).resolve().parents[2]


# Parameters a service checks against a fixed set before recording (``privacy.deletion.{decision}``).
CHECKED_VALUES = {("privacy", "decision"): ("anonymise", "refuse")}
# Modules recording an action code chosen from a registry the apps fill; the codes are the literal ``action=`` of
# the calls that fill it (``import_jobs.register(kind, action=...)``) and of its default.
REGISTRIES = {"core/import_jobs.py": (("import_jobs", "register"), (None, "InterruptedKind"))}


def _registered_codes(modules, fillers) -> list[str]:
    codes = []
    for _path, tree in modules:
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            f = call.func
            name = ((f.value.id if isinstance(f.value, ast.Name) else "", f.attr) if isinstance(f, ast.Attribute)
                    else (None, f.id) if isinstance(f, ast.Name) else None)
            if name in fillers:
                action = next((k.value for k in call.keywords if k.arg == "action"), None)
                codes.extend(_strings(action) or [])
    return codes


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node) -> list[str] | None:
    """The codes an expression can take: a literal, or both arms of ``a if c else b``; None when unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body), _strings(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def _is_record(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Attribute) and f.attr == "record" and isinstance(f.value, ast.Name)
            and f.value.id == "audit")


def _template(node, params: list[str]) -> tuple[str, str, str] | None:
    """``f"case.{action}"`` or ``action`` where ``action`` is a parameter: (prefix, parameter, suffix)."""
    if isinstance(node, ast.Name) and node.id in params:
        return "", node.id, ""
    if isinstance(node, ast.JoinedStr) and len(node.values) in (2, 3):
        parts = node.values
        consts = [p for p in parts if isinstance(p, ast.Constant)]
        names = [p for p in parts if isinstance(p, ast.FormattedValue) and isinstance(p.value, ast.Name)]
        if len(names) == 1 and len(consts) == len(parts) - 1 and names[0].value.id in params:
            i = parts.index(names[0])
            prefix = "".join(p.value for p in parts[:i])
            suffix = "".join(p.value for p in parts[i + 1:])
            return prefix, names[0].value.id, suffix
    return None


def recorded_action_codes() -> set[str]:
    """Action codes at every ``audit.record`` call site, following one level of wrapper (``record(actor, case,
    "dispatch")`` → ``case.dispatch``) within the wrapper's app. A site the scan cannot read fails the test."""
    codes: set[str] = set()
    wrappers = []  # (app dir, function name, parameter index, parameter name, prefix, suffix)
    unreadable = []
    modules = list(_modules())
    for path, tree in modules:
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
            for call in ast.walk(fn):
                if not (isinstance(call, ast.Call) and _is_record(call)):
                    continue
                action = next((k.value for k in call.keywords if k.arg == "action"), None)
                found = _strings(action) if action is not None else None
                t = _template(action, params) if found is None else None
                if found is not None:
                    codes.update(found)
                elif t is not None and (path.parent.name, t[1]) in CHECKED_VALUES:
                    codes.update(t[0] + v + t[2] for v in CHECKED_VALUES[(path.parent.name, t[1])])
                elif t is not None:
                    wrappers.append((path.parent, fn.name, params.index(t[1]), t[1], t[0], t[2]))
                elif str(path.relative_to(ROOT)) in REGISTRIES and (
                        found := _registered_codes(modules, REGISTRIES[str(path.relative_to(ROOT))])):
                    codes.update(found)
                else:
                    unreadable.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    for app_dir, name, index, param, prefix, suffix in wrappers:
        calls = 0
        for path, tree in modules:
            if path.parent != app_dir:
                continue
            for call in ast.walk(tree):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == name):
                    continue
                arg = call.args[index] if len(call.args) > index else next(
                    (k.value for k in call.keywords if k.arg == param), None)
                values = _strings(arg) if arg is not None else None
                calls += 1
                if values is None:
                    unreadable.append(f"{path.relative_to(ROOT)}:{call.lineno}")
                else:
                    codes.update(prefix + v + suffix for v in values)
        if not calls:
            unreadable.append(f"{app_dir.name}.{name}: no call with a literal {param}")
    assert not unreadable, f"audit.record call sites whose action code cannot be read: {unreadable}"
    return codes


def test_scan_finds_the_codes_behind_wrappers():
    codes = recorded_action_codes()
    # Literal, conditional, f-string wrappers (casework, approvals, policies) and a pass-through (anonymise).
    assert {"auth.login", "user.deactivate", "case.dispatch", "approval.request", "case.policy.update",
            "privacy.anonymise", "privacy.deletion.refuse"} <= codes
    assert len(codes) > 70


def test_every_recorded_action_has_a_label_and_group():
    registered = audit_labels.actions()
    missing = sorted(recorded_action_codes() - set(registered))
    assert not missing, f"action codes recorded without a label in an audit_catalog: {missing}"
    groups = dict(audit_labels.groups())
    assert all(a.group in groups for a in registered.values())


def test_labels_are_chinese():
    with translation.override("zh-hans"):
        for code in recorded_action_codes():
            label = audit_labels.action_label(code)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (code, label)
        assert audit_labels.actor_label("public") == "职工本人（网上）"


@pytest.mark.parametrize(("details", "expected"), [
    ({"on_time": True}, [("按时", "是")]),
    ({"collective": False}, [("集体诉求", "否")]),
    ({"state": "dispatched", "topic": "union_founding"}, [("办理状态", "已分派"), ("诉求事项", "组建工会")]),
    ({"due": "2026-03-05"}, [("办结期限", "2026年3月5日")]),
])
def test_case_details_render_as_labelled_chinese(details, expected):
    with translation.override("zh-hans"):
        assert audit_labels.detail_rows("case.dispatch", details) == expected


def test_unknown_detail_and_values_still_render():
    with translation.override("zh-hans"):
        assert audit_labels.detail_rows("nope.never", {"x": [1, 2], "y": None}) == [("x", "1、2"), ("y", "—")]
        assert audit_labels.action_label("nope.never") == "未登记的操作（nope.never）"


def test_every_literal_detail_key_has_a_label():
    """Detail keys written as literals at the record call sites (and keyword details of the wrappers) are labelled,
    so the screen shows 原因, not ``reason``."""
    labelled = set(audit_labels._DETAILS) | {k for a in audit_labels.actions().values() for k in a.details}
    plain = {"actor", "action", "object_type", "object_id", "scope_path", "outcome", "details", "using"}
    missing = []
    for path, tree in _modules():
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and (_is_record(call) or (
                    isinstance(call.func, ast.Name) and call.func.id in ("record", "_record")))):
                continue
            keys = [k.arg for k in call.keywords if k.arg and k.arg not in plain]
            for k in call.keywords:
                if k.arg == "details" and isinstance(k.value, ast.Dict):
                    keys += [x.value for x in k.value.keys if isinstance(x, ast.Constant)]
            missing += [f"{path.relative_to(ROOT)}:{call.lineno} {key}" for key in keys if key not in labelled]
    assert not missing, missing
