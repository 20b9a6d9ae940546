"""The generate phase: a national-scale year of extracts for the other phases to read."""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.machine import maxrss_mib


def phase_generate(a: dict[str, Any]) -> dict[str, Any]:
    """Write the national-scale extracts, the reference subsets and a layouts copy."""
    from pipelines.synthetic import (
        DEFAULT_SEED,
        generate_extracts,
        national_orgs,
        write_national_layouts,
        write_reference_data,
    )
    from pipelines.synthetic.writers import layout_of

    landing = Path(a["landing"])
    if landing.exists():
        shutil.rmtree(landing)
    orgs = national_orgs(a["trusts"])
    months = a["months"]
    start = time.perf_counter()
    paths = generate_extracts(
        months[0],
        months[-1],
        landing,
        seed=a.get("seed") or DEFAULT_SEED,
        scale=a["scale"],
        orgs=orgs,
        workers=a["workers"],
    )
    write_reference_data(landing / "reference", seed=DEFAULT_SEED)
    write_national_layouts(Path(a["layouts"]), orgs)
    seconds = time.perf_counter() - start
    files: dict[str, int] = defaultdict(int)
    rows: dict[str, int] = defaultdict(int)
    size = 0
    for path in paths:
        layout = layout_of(path.name) or "?"
        data = path.read_bytes()
        size += len(data)
        files[layout] += 1
        rows[layout] += max(0, data.count(b"\n") - 1)
    return {
        "seconds": seconds,
        "files": dict(files),
        "data_rows": dict(rows),
        "bytes": size,
        "trusts": len(orgs),
        "months": months,
        "maxrss_mib": maxrss_mib(),
    }
