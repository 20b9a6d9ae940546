"""The targets: the limits from the issue, and whether the run met them."""

from __future__ import annotations

from typing import Any

from bench.common import COLD_MONTH
from bench.figures import loglog_slope, ratio, scaling_rows

# Limits from the issue, checked in the targets table.
TARGET_E2E_S = 60.0
TARGET_RSS_MIB = 2048.0
TARGET_MEASURES_X_FLOOR = 3.0
TARGET_GATE_SPEEDUP = 5.0
TARGET_GATE_SHARE = 0.25
TARGET_COLD_S = 15.0
TARGET_FRONT_DOOR_S = 20.0  # issue #16: the analyst's `mdq run` over the national year
TARGET_FRONT_DOOR_X_STAGES = 1.25
TARGET_FRONT_DOOR_RSS_MIB = 1024.0
TARGET_SLOPE = 1.10  # log-log slope of end-to-end time against rows: <= 1.1 counts as linear


def targets_section(r: dict[str, Any]) -> list[str]:
    """The targets table of the report: each limit against the full-scale run of results `r`."""
    full = r["scales"][r["full_scale"]]
    p, ref = full["pipeline"], full["references"]
    stages = dict(p["stages_s"])
    e2e = sum(stages.values())
    floor = ref["floor"]["median_s"]
    full_floor = ref.get("full", {}).get("median_s")
    ge_ref = ref.get("ge_pandas", {}).get("seconds")
    cached = [x["seconds"] for x in r.get("cold", []) if x.get("bytecode_cache")]
    uncached = [x["seconds"] for x in r.get("cold", []) if not x.get("bytecode_cache")]
    gate_s = stages.get("gate")
    measures_s = stages.get("measures")
    slope = loglog_slope([(row["rows"], row["e2e"]) for row in scaling_rows(r)])
    t = []

    def target(name: str, limit: str, measured: str, ok: bool | None) -> None:
        t.append(f"| {name} | {limit} | {measured} | {'met' if ok else 'not run' if ok is None else '**missed**'} |")

    target("National year end-to-end (sum of stages)", f"≤ {TARGET_E2E_S:.0f} s", f"{e2e:.1f} s", e2e <= TARGET_E2E_S)
    target(
        "Peak RSS of the pipeline process",
        f"≤ {TARGET_RSS_MIB:.0f} MiB",
        f"{p['maxrss_mib']:.0f} MiB",
        p["maxrss_mib"] <= TARGET_RSS_MIB,
    )
    if measures_s:
        target(
            "Measure step ÷ floor query",
            f"≤ {TARGET_MEASURES_X_FLOOR:g}×",
            ratio(measures_s, floor)
            + (f" ({ratio(measures_s, full_floor)} the all-measures floor)" if full_floor else ""),
            measures_s / floor <= TARGET_MEASURES_X_FLOOR,
        )
    if gate_s:
        target(
            "GE gate speed-up over GE on pandas",
            f"≥ {TARGET_GATE_SPEEDUP:g}×",
            ratio(ge_ref, gate_s) if ge_ref else "not run",
            (ge_ref / gate_s >= TARGET_GATE_SPEEDUP) if ge_ref else None,
        )
        target(
            "GE gate share of end-to-end",
            f"≤ {100 * TARGET_GATE_SHARE:.0f}%",
            f"{100 * gate_s / e2e:.1f}%",
            gate_s / e2e <= TARGET_GATE_SHARE,
        )
    first = r.get("cold_first")
    measured = ", ".join(f"{x:.1f} s" for x in cached) or "not run"
    if first:
        measured += f" (after a warm-up run: {first['seconds']:.1f} s)"
    target(
        f"Cold `mdq run --month {COLD_MONTH}` (sample, fresh process, bytecode cached)",
        f"≤ {TARGET_COLD_S:.0f} s",
        measured,
        (max(cached) <= TARGET_COLD_S) if cached else None,
    )
    if uncached:
        target(
            "… the same with no bytecode cache (every import compiled, PYTHONDONTWRITEBYTECODE=1)",
            f"≤ {TARGET_COLD_S:.0f} s",
            ", ".join(f"{x:.1f} s" for x in uncached),
            max(uncached) <= TARGET_COLD_S,
        )
    cli = full.get("cli")
    if cli:
        target(
            "`mdq run --from --to` over the national year",
            f"≤ {TARGET_FRONT_DOOR_S:.0f} s",
            f"{cli['seconds']:.1f} s",
            cli["seconds"] <= TARGET_FRONT_DOOR_S,
        )
        target(
            "… ÷ the sum of the stages it runs",
            f"≤ {TARGET_FRONT_DOOR_X_STAGES:g}×",
            ratio(cli["seconds"], e2e),
            cli["seconds"] / e2e <= TARGET_FRONT_DOOR_X_STAGES,
        )
        target(
            "… peak RSS",
            f"≤ {TARGET_FRONT_DOOR_RSS_MIB:.0f} MiB",
            f"{cli['maxrss_mib']:.0f} MiB",
            cli["maxrss_mib"] <= TARGET_FRONT_DOOR_RSS_MIB,
        )
    target(
        "Linear cost (log-log slope of e2e time against input rows)",
        f"≤ {TARGET_SLOPE:g}",
        f"{slope:.2f}" if slope is not None else "one scale only",
        (slope <= TARGET_SLOPE) if slope is not None else None,
    )
    return ["### Targets", "", "| Target | Limit | Measured | |", "|---|---|---|---|", *t, ""]
