"""The gate's Data Docs designs on one month of a warehouse the benchmark built (docs/performance.md).

    MDQ_LAYOUTS=var/bench/scale-1/data/layouts.yaml \\
        .venv/bin/python bench/data_docs_options.py var/bench/scale-1/run/warehouse/mdq.duckdb 2025-06

Times, each the median of three after a warm-up, in this one process:

1. the gate's GE validation alone (one month-wide row-level validation, one Trust-level);
2. the same with the Data Docs as built (a page for each failing Trust, cut from the month's result);
3. the same with a page for every Trust;
4. the row-level suite run on each Trust's own batch (GE's own per-Trust counts and samples), no docs.

On a checkout before issue #16 part B (PYTHONPATH pointing at it) only 1 and 2 run: 2 is then GE's
SiteBuilder writing a site per month.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from checks.validation import run_ge_gate
from pipelines.core.config import load_rules
from pipelines.gate.results import gate_bookings


def _timed(label: str, fn: Callable[[], object], runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})", flush=True)
    return statistics.median(times)


def main(warehouse: str, month: str) -> None:
    rules = load_rules()
    with duckdb.connect(warehouse, read_only=True) as con:
        bookings = gate_bookings(con, month, rules)
    root = Path(tempfile.mkdtemp(prefix="mdq-docs-options-"))
    work = root / "work"
    print(f"{month}: {len(bookings):,} bookings, {bookings['org_code'].nunique()} Trusts")
    _timed("1. validation alone", lambda: run_ge_gate(bookings, rules, work, None))
    _timed("2. validation + Data Docs", lambda: run_ge_gate(bookings, rules, work, root / "docs"))
    try:
        from checks import data_docs_trusts
    except ImportError:  # before part B: no per-Trust pages to compare
        shutil.rmtree(root)
        return
    results, index = run_ge_gate(bookings, rules, work, root / "docs")
    failing = {r.org_code for r in results if not r.success}
    print(f"   {len(failing)} failing Trusts; {len(list((index.parent / 'validations').glob('*.html')))} pages")

    chosen = data_docs_trusts.MonthValidation.failing_orgs
    data_docs_trusts.MonthValidation.failing_orgs = lambda self: [
        o for i, o in enumerate(self.orgs) if self.bookings[i]
    ]
    try:
        _timed(
            "3. validation + Data Docs, a page for every Trust",
            lambda: run_ge_gate(bookings, rules, work, root / "all"),
        )
    finally:
        data_docs_trusts.MonthValidation.failing_orgs = chosen

    from checks import context, validation
    from checks.batch import prepare_batch
    from checks.measure_specs import gated_measure_specs

    specs = gated_measure_specs(rules)
    frame = prepare_batch(bookings, specs)
    columns = ["org_code", *dict.fromkeys(s.column for s in specs)]
    project = context.open_context(work)
    groups = frame.groupby("org_code").indices

    def per_trust() -> None:
        for positions in groups.values():
            batch = frame.iloc[positions][columns].reset_index(drop=True)
            validation._run(
                project, specs, 0, batch_parameters={"dataframe": batch}, result_format=validation._ROWS_RESULT_FORMAT
            )

    _timed(f"4. row-level suite per Trust ({len(groups)} validations), no docs", per_trust, runs=1)
    shutil.rmtree(root)


if __name__ == "__main__":
    main(*sys.argv[1:3])
