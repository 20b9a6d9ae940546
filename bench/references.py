"""The references phase: what the same figures cost done by hand, on the warehouse the pipeline built."""

from __future__ import annotations

import time
from typing import Any

from bench.machine import maxrss_mib


def _timed(fn, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    ordered = sorted(times)
    return {"first_s": times[0], "median_s": ordered[len(ordered) // 2], "min_s": ordered[0], "runs": repeat}


def phase_references(a: dict[str, Any]) -> dict[str, Any]:
    """Raw scan and floor query in DuckDB; optionally GE on pandas, one validation per Trust-month."""
    import duckdb

    from pipelines.core.config import load_rules

    rules = load_rules()
    measures = [m for m in rules["measures"] if m["kind"] == "flag_rate"]
    gated = [m for m in measures if m.get("gated")]
    flags = [m["flag"] for m in measures]
    dims = ["imd_decile", "imd_quintile", "ethnic_group", "ethnic_category"]
    scan_sql = (
        "SELECT count(*), max(reporting_month), max(org_code), "
        + ", ".join([f"count_if({f})" for f in flags] + [f"max({d})" for d in dims])
        + " FROM bookings"
    )
    floor_sql = (
        "SELECT reporting_month, org_code, count(*) AS bookings, "
        + ", ".join(f"count_if({m['flag']}) / count(*) AS {m['flag']}_rate" for m in gated)
        + " FROM bookings GROUP BY reporting_month, org_code ORDER BY reporting_month, org_code"
    )
    breakdowns = [b for b in rules["breakdowns"] if b != "overall"]
    sets = ", ".join(["(reporting_month, org_code)"] + [f"(reporting_month, org_code, {b})" for b in breakdowns])
    full_sql = (
        "SELECT reporting_month, org_code, "
        + ", ".join(f"GROUPING({b}) AS g_{b}, {b}" for b in breakdowns)
        + ", count(*) AS denominator, "
        + ", ".join(f"count_if({f}) AS {f}" for f in flags)
        + f" FROM bookings GROUP BY GROUPING SETS ({sets})"
    )
    out: dict[str, Any] = {
        "scan_sql": scan_sql,
        "floor_sql": floor_sql,
        "full_sql": full_sql,
        "flags": len(flags),
        "breakdowns": len(breakdowns) + 1,
    }
    con = duckdb.connect(a["warehouse"], read_only=True)
    try:
        out["scan"] = _timed(lambda: con.execute(scan_sql).fetchall(), a["repeat"])
        out["floor"] = _timed(lambda: con.execute(floor_sql).fetchall(), a["repeat"])
        out["full"] = _timed(lambda: con.execute(full_sql).fetchall(), a["repeat"])
        out["full_rows"] = len(con.execute(full_sql).fetchall())
        floor_rows = con.execute(floor_sql).fetchall()
        out["floor_trust_months"] = len(floor_rows)
        thresholds = [m["threshold"] for m in gated]
        out["floor_failures"] = sum(r[3 + i] < t for r in floor_rows for i, t in enumerate(thresholds))
        if a["ge_reference"]:
            out["ge_pandas"] = _ge_on_pandas(con, rules)
    finally:
        con.close()
    out["maxrss_mib"] = maxrss_mib()
    return out


def _ge_on_pandas(con, rules: dict[str, Any]) -> dict[str, Any]:
    """The straightforward way: per Trust-month a pandas frame and one GE validation."""
    import checks.context  # noqa: F401  (analytics off before GE is imported)

    t0 = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from checks.validation import gated_measure_specs

    imports_s = time.perf_counter() - t0
    start = time.perf_counter()
    specs = gated_measure_specs(rules)
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("reference").add_dataframe_asset("trust_month")
    batch = asset.add_batch_definition_whole_dataframe("trust_month")
    expectations = [
        gxe.ExpectColumnValuesToMatchRegex(column=s.column, regex=s.regex, mostly=s.threshold)
        if s.kind == "regex"
        else gxe.ExpectColumnValuesToBeInSet(column=s.column, value_set=list(s.value_set), mostly=s.threshold)
        for s in specs
    ]
    suite = context.suites.add(gx.ExpectationSuite(name="reference_gated", expectations=expectations))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="reference_gated", data=batch, suite=suite)
    )
    columns = list(dict.fromkeys(s.column for s in specs))
    # Directory mode: the regex only checks the shape, so a postcode the mart found not live in the
    # directory is marked as the gate marks it (a second space), else the reference judges less.
    shown = {
        s.column: f"CASE WHEN {s.column} IS NOT NULL AND NOT postcode_valid THEN {s.column} || ' (not live)' "
        f"ELSE {s.column} END AS {s.column}"
        for s in specs
        if s.directory
    }
    frame = con.sql(
        f"SELECT reporting_month, org_code, {', '.join(shown.get(c, c) for c in columns)} FROM bookings"
    ).df()
    for column in columns:  # MSDS: a missing value is invalid and stays in the denominator
        frame[column] = frame[column].fillna("")
    setup_s = time.perf_counter() - start
    failures = validations = 0
    for _, group in frame.groupby(["reporting_month", "org_code"], sort=True):
        result = validation.run(batch_parameters={"dataframe": group.reset_index(drop=True)}, result_format="SUMMARY")
        validations += 1
        failures += sum(not r.success for r in result.results)
    total = time.perf_counter() - start
    return {
        "seconds": total,
        "setup_s": setup_s,
        "imports_s": imports_s,
        "validations": validations,
        "failures": failures,
        "per_validation_ms": 1000 * (total - setup_s) / max(1, validations),
    }
