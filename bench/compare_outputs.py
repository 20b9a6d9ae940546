"""Compares two `mdq run` output folders byte for byte (not run in CI).

    .venv/bin/python bench/compare_outputs.py /tmp/ny-duckdb/out /tmp/ny-spark/out

For runs made apart (e.g. bench/engine_run.py's national year on each engine), where
bench/compare_engines.py would run both itself. Every file but Data Docs (whose pages carry GE's
run identifiers) must be the same bytes; a scorecard's "run started" time is masked. Exit status 1
on any file missing, extra or different.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.compare_engines import SCORECARD_TIME  # noqa: E402  (the one mask both comparisons use)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "data_docs" not in p.parts}


def _masked(path: Path) -> bytes:
    data = path.read_bytes()
    return SCORECARD_TIME.sub(b"", data) if path.suffix == ".html" else data


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a, b = Path(argv[0]), Path(argv[1])
    for folder in (a, b):
        if not folder.is_dir():  # an empty comparison must not pass as "0 differ"
            print(f"compare_outputs: {folder}: not a folder", file=sys.stderr)
            return 2
    left, right = _files(a), _files(b)
    missing, extra = sorted(left - right), sorted(right - left)
    differ = [n for n in sorted(left & right) if _masked(a / n) != _masked(b / n)]
    for label, names in (("MISSING", missing), ("EXTRA", extra), ("DIFF", differ)):
        for n in names:
            print(label, n)
    print(f"{len(left)} files compared, {len(differ)} differ, {len(missing)} missing, {len(extra)} extra")
    return 1 if missing or extra or differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
