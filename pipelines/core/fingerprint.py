"""What a month's stored results were computed from, beyond the extracts themselves.

The rules file (thresholds, code lists), the layouts file and the reference data all change
results. A month is reusable by `mdq gate` only when its ingest ran with the same of each.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipelines.core.paths import LAYOUTS_FILE, RULES_FILE


def config_fingerprint(reference_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in (Path(os.environ.get("MDQ_RULES") or RULES_FILE), Path(os.environ.get("MDQ_LAYOUTS") or LAYOUTS_FILE)):
        digest.update(path.read_bytes())
    for path in sorted(reference_dir.glob("*.csv")):
        # Size and modification time stand for the content: hashing a national directory each run costs seconds.
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]
