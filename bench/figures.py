"""Numbers for the report: formatting, ratios, and how cost grows across scales."""

from __future__ import annotations

import math
from typing import Any


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:,.1f}×" if r >= 10 else f"{r:,.2f}×"


def loglog_slope(points: list[tuple[float, float]]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def scaling_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, s in sorted(r["scales"].items(), key=lambda kv: float(kv[0])):
        p = s["pipeline"]
        st = p["stages_s"]
        rows.append(
            {
                "scale": name,
                "rows": p["counts"]["input_rows"],
                "bookings": p["counts"]["bookings"],
                "ingest": st.get("ingest", 0.0) + st.get("ingest_checks", 0.0),
                "measures": st.get("measures", 0.0) + st.get("measure_files", 0.0),
                "gate": st.get("gate", 0.0),
                "scorecard": st.get("scorecard", 0.0),
                "e2e": sum(st.values()),
                "floor": s["references"]["floor"]["median_s"],
                "rss": p["maxrss_mib"],
            }
        )
    return rows
