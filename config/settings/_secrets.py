"""Secrets for the demo and tests: generated once and kept under var/, never used in production."""

import base64
import json
import os
import secrets
from pathlib import Path


def local_secrets(var_dir: Path) -> dict:
    path = var_dir / "local-secrets.json"
    if path.exists():
        data = json.loads(path.read_text())
        if "GONGHUI_AUDIT_KEYS" not in data:  # a demo set up before the audit chain was keyed
            data["GONGHUI_AUDIT_KEYS"] = "a1:" + base64.b64encode(os.urandom(32)).decode()
            _write(path, data)
        return data
    var_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "GONGHUI_DATA_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_AUDIT_KEYS": "a1:" + base64.b64encode(os.urandom(32)).decode(),
    }
    _write(path, data)
    return data


def _write(path: Path, data: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(data))
    path.chmod(0o600)
