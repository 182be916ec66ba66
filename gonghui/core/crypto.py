"""Encryption at rest for personal data (AES-GCM, rotating keys) and keyed blind indexes (HMAC).

Ciphertext format: ``v1$<key id>$<base64(nonce || ciphertext+tag)>``. The field kind is bound as
associated data, so a ciphertext copied from one column into another does not decrypt.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


@functools.cache
def _keyring(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kid, _, b64 = part.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) != 32 or not kid:
            raise ImproperlyConfigured("GONGHUI_DATA_KEYS entries must be 'kid:<base64 of 32 bytes>'")
        keys[kid] = AESGCM(raw)
        current = current or kid
    if not keys:
        raise ImproperlyConfigured("GONGHUI_DATA_KEYS is empty: personal data cannot be encrypted")
    return current, keys


@functools.cache
def _bidx_key(spec: str) -> bytes:
    raw = base64.b64decode(spec or "")
    if len(raw) < 32:
        raise ImproperlyConfigured("GONGHUI_BLIND_INDEX_KEY must be base64 of at least 32 bytes")
    return raw


def encrypt(plaintext: str, *, kind: str) -> str:
    return encrypt_bytes(plaintext.encode(), kind=kind)


def decrypt(token: str, *, kind: str) -> str:
    return decrypt_bytes(token, kind=kind).decode()


def encrypt_bytes(raw: bytes, *, kind: str) -> str:
    """Seal binary data (``encrypt`` seals text this way): a 20-byte secret seals into 64 characters plus the key id."""
    current, keys = _keyring(settings.GONGHUI_DATA_KEYS)
    nonce = os.urandom(12)
    return f"{PREFIX}${current}${base64.b64encode(nonce + keys[current].encrypt(nonce, raw, kind.encode())).decode()}"


def decrypt_bytes(token: str, *, kind: str) -> bytes:
    prefix, kid, b64 = token.split("$", 2)
    if prefix != PREFIX:
        raise ValueError("unknown ciphertext version")
    _, keys = _keyring(settings.GONGHUI_DATA_KEYS)
    raw = base64.b64decode(b64)
    return keys[kid].decrypt(raw[:12], raw[12:], kind.encode())


def key_id(token: str) -> str:
    return token.split("$", 2)[1]


def blind_index(value: str, *, kind: str) -> str:
    """A keyed hash of the normalized value: equal values match, the value cannot be recovered."""
    key = _bidx_key(settings.GONGHUI_BLIND_INDEX_KEY)
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def encrypt_many(plaintexts: list[str], *, kind: str) -> list[str]:
    """``encrypt`` of each value (the same format; an empty value stays empty), with one key lookup and one
    random read for the whole list: a bulk import seals a million numbers."""
    current, keys = _keyring(settings.GONGHUI_DATA_KEYS)
    seal, ad, head = keys[current].encrypt, kind.encode(), f"{PREFIX}${current}$"
    nonces = os.urandom(12 * len(plaintexts))
    b64 = base64.b64encode
    return [head + b64(nonces[i * 12:i * 12 + 12] + seal(nonces[i * 12:i * 12 + 12], text.encode(), ad)).decode()
            if text else "" for i, text in enumerate(plaintexts)]


def blind_indexes(values: list[str], *, kind: str) -> list[str]:
    """``blind_index`` of each value (an empty value gives ""), the keyed hash set up once."""
    base = hmac.new(_bidx_key(settings.GONGHUI_BLIND_INDEX_KEY), f"{kind}:".encode(), hashlib.sha256)
    out = []
    for value in values:
        if not value:
            out.append("")
            continue
        h = base.copy()
        h.update(value.encode())
        out.append(h.hexdigest()[:32])
    return out


# ------------------------------------------------------------------------------------- backup files

STREAM_MAGIC = b"GHBK1\0"
STREAM_CHUNK = 1 << 20


def backup_key() -> bytes | None:
    """GONGHUI_BACKUP_KEY (base64 of 32 bytes) or None when backups are not to be encrypted."""
    spec = getattr(settings, "GONGHUI_BACKUP_KEY", "") or ""
    if not spec:
        return None
    try:
        raw = base64.b64decode(spec, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("GONGHUI_BACKUP_KEY must be base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("GONGHUI_BACKUP_KEY must be base64 of 32 bytes")
    return raw


def _chunk_ad(header: bytes, index: int, final: bool) -> bytes:
    # Each chunk is bound to its file (header), its place and whether it is the last: chunks cannot be reordered,
    # dropped or the file cut short without the decryption failing.
    return header + index.to_bytes(8, "big") + (b"\1" if final else b"\0")


def encrypt_stream(src, dst, key: bytes, *, chunk: int = STREAM_CHUNK) -> None:
    """AES-256-GCM over ``src`` in chunks: MAGIC | 8-byte nonce prefix | (4-byte length | ciphertext+tag)..."""
    prefix = os.urandom(8)
    header = STREAM_MAGIC + prefix
    aes = AESGCM(key)
    dst.write(header)
    index, data = 0, src.read(chunk)
    while True:
        following = src.read(chunk)
        final = not following
        ct = aes.encrypt(prefix + index.to_bytes(4, "big"), data, _chunk_ad(header, index, final))
        dst.write(len(ct).to_bytes(4, "big") + ct)
        if final:
            return
        index, data = index + 1, following


def decrypt_stream(src, dst, key: bytes) -> None:
    """The inverse of ``encrypt_stream``; raises ValueError on a foreign, cut or altered file or the wrong key."""
    from cryptography.exceptions import InvalidTag

    header = src.read(len(STREAM_MAGIC) + 8)
    if len(header) != len(STREAM_MAGIC) + 8 or not header.startswith(STREAM_MAGIC):
        raise ValueError("not an encrypted gonghui backup")
    prefix, aes, index = header[len(STREAM_MAGIC):], AESGCM(key), 0
    length = src.read(4)
    while True:
        if len(length) != 4:
            raise ValueError("the encrypted backup is cut short")
        size = int.from_bytes(length, "big")
        ct = src.read(size)
        if len(ct) != size:
            raise ValueError("the encrypted backup is cut short")
        length = src.read(4)
        final = not length
        try:
            dst.write(aes.decrypt(prefix + index.to_bytes(4, "big"), ct, _chunk_ad(header, index, final)))
        except InvalidTag as exc:
            raise ValueError("the backup does not decrypt with this key, or was altered") from exc
        if final:
            return
        index += 1
