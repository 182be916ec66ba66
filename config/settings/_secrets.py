"""Secrets for the demo and tests: generated once and kept under var/, never used in production."""

import base64
import json
import os
import secrets
from pathlib import Path


def local_secrets(var_dir: Path) -> dict:
    path = var_dir / "local-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "GONGHUI_DATA_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data
