"""The CI gate's verdicts: every gated measure of every Trust for a month, with its breach."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.config import gated_measures, load_rules
from pipelines.core.warehouse import STAGES, connect, month_stage


@dataclass(frozen=True)
class GateVerdict:
    org_code: str
    measure_id: str
    title: str
    numerator: int
    denominator: int
    rate: float | None
    threshold: float
    completeness: str
    detail: str | None
    severity: str  # error: a breach fails the gate; warn: reported only

    @property
    def passed(self) -> bool:
        return self.completeness == "complete" and self.rate is not None and self.rate >= self.threshold

    @property
    def breach(self) -> bool:
        return not self.passed and self.severity == "error"

    @property
    def records_short(self) -> int:
        """How many more valid records the Trust needed to reach the threshold."""
        return max(0, math.ceil(self.threshold * self.denominator - 1e-9) - self.numerator)

    @property
    def failure_type(self) -> str:
        """What kind of failure: no data is not a low rate, and CI reports should say which."""
        if self.completeness != "complete":
            return f"{self.completeness}_submission"  # missing, unreadable, incomplete, empty
        return "threshold_breach"

    def describe(self) -> str:
        if self.completeness != "complete":
            return f"{self.org_code} {self.measure_id}: submission {self.completeness} ({self.detail}); threshold {self.threshold:.0%}"
        rate = "n/a" if self.rate is None else f"{self.rate:.1%}"
        return (
            f"{self.org_code} {self.measure_id}: {rate} ({self.numerator}/{self.denominator}) "
            f"below threshold {self.threshold:.0%}, {self.records_short} records short"
        )


class GateInconsistent(RuntimeError):
    """Great Expectations and the SQL measures disagree: a defect, never a verdict."""


def evaluate_gate(warehouse: Path, month: str, warn_only: bool = False) -> list[GateVerdict]:
    """Verdicts from the stored Great Expectations results, cross-checked against the SQL measures."""
    gated = {m["id"]: m for m in gated_measures(load_rules())}
    with connect(warehouse, read_only=True) as con:
        stage, _ = month_stage(con, month)
        if stage not in STAGES[STAGES.index("gated") :]:
            raise GateInconsistent(f"{month} was last run only to '{stage}': run `mdq run --month {month}` again")
        rows = con.execute(
            """SELECT s.org_code, g.measure_id, g.element_count - g.unexpected_count, g.element_count,
                      g.observed_rate, g.threshold, g.success, s.completeness, s.completeness_detail,
                      m.numerator, m.denominator
               FROM trust_month_status s
               JOIN gate_results g ON g.reporting_month = s.reporting_month AND g.org_code = s.org_code
               LEFT JOIN measures m ON m.reporting_month = g.reporting_month AND m.org_code = g.org_code
                    AND m.measure_id = g.measure_id AND m.breakdown = 'overall'
               WHERE s.reporting_month = ? ORDER BY s.org_code, g.measure_id""",
            [month],
        ).fetchall()
    if not rows:
        raise GateInconsistent(f"no gate results stored for {month}: run `mdq run --month {month}` first")
    verdicts = []
    for org, mid, num, den, rate, threshold, success, comp, detail, sql_num, sql_den in rows:
        if (num, den) != (sql_num, sql_den):
            raise GateInconsistent(
                f"{month} {org} {mid}: Great Expectations counted {num}/{den}, SQL {sql_num}/{sql_den}"
            )
        verdict = GateVerdict(
            org,
            mid,
            gated[mid]["title"],
            num,
            den,
            rate,
            threshold,
            comp,
            detail,
            "warn" if warn_only else gated[mid].get("severity", "error"),
        )
        if verdict.passed != (bool(success) and comp == "complete"):
            raise GateInconsistent(
                f"{month} {org} {mid}: Great Expectations verdict {success} disagrees with rate {rate}"
            )
        verdicts.append(verdict)
    return verdicts
