"""The headline tiles: one per gated measure and Trust, with pass or fail and the change on the last month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.scorecard.charts import pct
from pipelines.scorecard.data import MeasureRow, ScorecardData, TrustStatus
from pipelines.scorecard.labels import month_label


@dataclass
class Tile:
    measure_id: str
    title: str
    passed: bool
    status_word: str
    rate: str
    threshold: str
    counts: str
    change: str
    change_dir: str  # up | down | same | none
    note: str | None
    split: str | None = None  # why women are not valid, in words: "208 blank, 51 not stated or not known"


def split_words(row: MeasureRow, labels: dict[str, str]) -> str | None:
    """The non-valid classes of the split in words, largest first; None when there are none."""
    counts = [(row.missing, "missing"), (row.default, "default"), (row.invalid, "invalid")]
    parts = [(n, labels.get(c, c)) for n, c in counts if n]
    if not parts:
        return None
    return ", ".join(f"{n:,} {label}" for n, label in sorted(parts, key=lambda p: -p[0]))


def change_since_last(rows: dict[str, MeasureRow], month: str) -> tuple[str, str]:
    """The change from the latest stored month before `month`, in words, and its direction."""
    earlier = sorted(m for m in rows if m < month)
    current = rows.get(month)
    if not earlier:
        return "No earlier month stored", "none"
    prev_month = earlier[-1]
    prev = rows[prev_month]
    since = month_label(prev_month)
    if current is None or current.rate is None:
        return f"No rate this month ({since}: {pct(prev.rate)})", "none"
    if prev.rate is None:
        return f"No rate in {since} to compare with", "none"
    delta = round((current.rate - prev.rate) * 100, 1)
    if delta == 0:
        return f"No change since {since}", "same"
    word = "Up" if delta > 0 else "Down"
    return (
        f"{word} {abs(delta):.1f} percentage points since {since} ({pct(prev.rate)})",
        "up" if delta > 0 else "down",
    )


def tiles(data: ScorecardData, trust: TrustStatus, gated: list[dict[str, Any]]) -> list[Tile]:
    out = []
    complete = trust.completeness == "complete"
    for m in gated:
        rows = data.overall(trust.org_code, m["id"])
        row = rows.get(data.month)
        threshold = row.threshold if row and row.threshold is not None else float(m["threshold"])
        passed = bool(row and row.status == "pass")
        change, direction = change_since_last(rows, data.month)
        if row is None:
            counts, rate = "No measure row stored", "No data"
        else:
            counts = f"{row.numerator:,} of {row.denominator:,} women booked"
            rate = pct(row.rate) if row.rate is not None else "No data"
        note = None
        if not complete:
            detail = f": {trust.completeness_detail}" if trust.completeness_detail else ""
            note = f"Fails because the submission is {trust.completeness}{detail}. No data is not good data."
        out.append(
            Tile(
                m["id"],
                m["title"],
                passed,
                "Pass" if passed else "Fail",
                rate,
                f"Threshold {pct(threshold, 0)}",
                counts,
                change,
                direction,
                note,
                split_words(row, m.get("class_labels") or {}) if row is not None else None,
            )
        )
    return out
