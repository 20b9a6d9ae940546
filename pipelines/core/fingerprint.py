"""What a month's stored results were computed from, beyond the extracts themselves.

The rules file (thresholds, code lists), the layouts file, the reference data and the
pseudonymisation key all change results (the key changes every person and pregnancy key). A
month is reusable by `mdq gate` only when its ingest ran with the same of each. The key itself
is never stored: it enters as a keyed hash of a constant, which tells keys apart and gives
nothing of them away.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipelines.core.paths import LAYOUTS_FILE, RULES_FILE

_KEY_CHECK = b"maternity-dq: which pseudonymisation key"


def key_fingerprint(key: bytes) -> str:
    """A keyed BLAKE2b of a constant: equal for equal keys, and no way back to the key."""
    mac_key = key if len(key) <= 64 else hashlib.sha256(key).digest()  # BLAKE2b keys are at most 64 bytes
    return hashlib.blake2b(_KEY_CHECK, key=mac_key, digest_size=16).hexdigest()


def config_fingerprint(reference_dir: Path, key: bytes) -> str:
    digest = hashlib.sha256()
    for path in (Path(os.environ.get("MDQ_RULES") or RULES_FILE), Path(os.environ.get("MDQ_LAYOUTS") or LAYOUTS_FILE)):
        digest.update(path.read_bytes())
    for path in sorted(reference_dir.glob("*.csv")):
        # Size and modification time stand for the content: hashing a national directory each run costs seconds.
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(key_fingerprint(key).encode())
    return digest.hexdigest()[:32]
