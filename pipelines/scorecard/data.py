"""Reads what the scorecard shows from the warehouse's stored tables into a polars frame and plain dataclasses.

Only stored tables are read: `measures` (every stored month up to the scorecard's month, as the
history behind the trends), `trust_month_status`, `submissions` and `quarantine`. The measure rows
(~50,000 for a national month) are read with one query into a polars frame, never one Python object
per row: the breakdown tables and the findings work on the frame for every Trust at once, and only
the overall rows of the measures asked for (the tiles and trends) become MeasureRow objects. Nothing is
recomputed: rates, statuses and the degenerate flag come from the stored measure rows. Of the
quarantine table only the month's reasons are read (never the `value` column), and a reason is
reduced to its kind, with any quoted value, date or number taken out, before it is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields

import duckdb
import polars as pl


@dataclass(frozen=True)
class MeasureRow:
    reporting_month: str
    org_code: str
    source_system: str | None
    measure_id: str
    breakdown: str
    group: str
    numerator: int
    denominator: int
    rate: float | None
    threshold: float | None
    status: str
    completeness: str | None
    degenerate: bool
    imd_edition: int | None
    # The valid / default / invalid / missing split (None in rows stored before it existed).
    valid: int | None = None
    default: int | None = None
    invalid: int | None = None
    missing: int | None = None


# The measures columns read, in MeasureRow's field order, with their types in the frame.
MEASURE_SCHEMA = {
    "reporting_month": pl.String,
    "org_code": pl.String,
    "source_system": pl.String,
    "measure_id": pl.String,
    "breakdown": pl.String,
    "group": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "rate": pl.Float64,
    "threshold": pl.Float64,
    "status": pl.String,
    "completeness": pl.String,
    "degenerate": pl.Boolean,
    "imd_edition": pl.Int32,
    "valid": pl.Int64,
    "default": pl.Int64,
    "invalid": pl.Int64,
    "missing": pl.Int64,
}
assert list(MEASURE_SCHEMA) == [f.name for f in fields(MeasureRow)]


def measure_frame(rows: list[MeasureRow]) -> pl.DataFrame:
    """MeasureRow objects as a frame of the stored rows' shape (for callers holding rows, and tests)."""
    return pl.DataFrame(
        [tuple(getattr(r, c) for c in MEASURE_SCHEMA) for r in rows], schema=MEASURE_SCHEMA, orient="row"
    )


def measure_rows(frame: pl.DataFrame) -> list[MeasureRow]:
    return [MeasureRow(*row) for row in frame.select(list(MEASURE_SCHEMA)).iter_rows()]


@dataclass(frozen=True)
class TrustStatus:
    org_code: str
    source_system: str | None
    files: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    bookings: int
    completeness: str
    completeness_detail: str | None


@dataclass(frozen=True)
class Submission:
    file_name: str
    source_system: str
    role: str
    status: str
    rows_read: int | None
    rows_loaded: int | None
    rows_quarantined: int | None
    error: str | None


@dataclass(frozen=True)
class ReasonCount:
    kind: str
    rows: int


@dataclass
class ScorecardData:
    month: str
    months: list[str]  # months with stored measures, up to and including `month`
    trusts: list[TrustStatus]
    measures: pl.DataFrame  # MEASURE_SCHEMA: overall rows of every month in `months`, all rows of `month`
    submissions: dict[str, list[Submission]] = field(default_factory=dict)
    quarantine: dict[str, list[ReasonCount]] = field(default_factory=dict)
    # Whether the postcode directory loaded had introduction dates (dointr); None if not recorded.
    postcode_introduction_dates: bool | None = None
    _overall: dict[str, dict[str, dict[str, MeasureRow]]] = field(default_factory=dict, init=False, repr=False)

    @property
    def current(self) -> pl.DataFrame:
        """Every stored row of the scorecard's month (all Trusts, measures and breakdowns)."""
        return self.measures.filter(pl.col("reporting_month") == self.month)

    def overall(self, org: str, measure_id: str) -> dict[str, MeasureRow]:
        """The org's overall row of the measure per stored month."""
        by_org = self._overall.get(measure_id)
        if by_org is None:
            # Built once per measure for every Trust: a national month has ~130 Trusts, and
            # scanning every row per Trust and measure made the page quadratic in the number of Trusts.
            by_org = {}
            rows = self.measures.filter((pl.col("breakdown") == "overall") & (pl.col("measure_id") == measure_id))
            for r in measure_rows(rows):
                by_org.setdefault(r.org_code, {})[r.reporting_month] = r
            self._overall[measure_id] = by_org
        return by_org.get(org, {})


_QUOTED = re.compile(r"'.*?'(?=\s|$|[,;:.)])")
_HAS_DIGIT = re.compile(r"\S*\d\S*")
_SPACES = re.compile(r"\s+")


def reason_kind(reason: str) -> str:
    """The reason with its particulars taken out, so rows that failed the same way count together.

    >>> reason_kind("BookingDate '2025-02-31' is not a real date in the layout's format %Y-%m-%d")
    "BookingDate … is not a real date in the layout's format %Y-%m-%d"
    >>> reason_kind("Booking Date 2025-03-25 is outside the file's month 2025-04")
    "Booking Date … is outside the file's month …"
    >>> reason_kind("exact duplicate of line 4")
    'exact duplicate of line …'
    """
    kind = _QUOTED.sub("…", reason)
    kind = _HAS_DIGIT.sub("…", kind)
    return _SPACES.sub(" ", kind).strip()


def read_scorecard_data(con: duckdb.DuckDBPyConnection, month: str) -> ScorecardData:
    trusts = [
        TrustStatus(*row)
        for row in con.execute(
            """SELECT org_code, source_system, coalesce(files, 0), coalesce(rows_read, 0), coalesce(rows_loaded, 0),
                  coalesce(rows_quarantined, 0), coalesce(bookings, 0), completeness, completeness_detail
           FROM trust_month_status WHERE reporting_month = ? ORDER BY org_code""",
            [month],
        ).fetchall()
    ]
    if not trusts:
        raise ValueError(f"the warehouse holds no Trust status for {month}: compute the month's measures first")
    months = [
        m
        for (m,) in con.execute(
            "SELECT DISTINCT reporting_month FROM measures WHERE reporting_month <= ? ORDER BY 1", [month]
        ).fetchall()
    ]
    # In no particular order (sorting ~50,000 rows here took as long as reading them): whatever
    # uses the rows puts them in the order it shows them.
    frame = con.sql(
        """SELECT reporting_month, org_code, source_system, measure_id, breakdown, "group", numerator, denominator,
                  rate, threshold, status, completeness, coalesce(degenerate, false) AS degenerate, imd_edition,
                  valid, "default", invalid, missing
           FROM measures
           WHERE reporting_month <= $month AND (breakdown = 'overall' OR reporting_month = $month)""",
        params={"month": month},
    ).pl()
    frame = frame.cast(MEASURE_SCHEMA)  # the same types whatever the warehouse declared
    submissions: dict[str, list[Submission]] = {}
    for org, *rest in con.execute(
        """SELECT org_code, file_name, source_system, role, status, rows_read, rows_loaded, rows_quarantined, error
           FROM submissions WHERE reporting_month = ?
           ORDER BY org_code, CASE WHEN status IN ('loaded', 'unreadable') THEN 0 ELSE 1 END, file_name,
                    first_loaded_at""",
        [month],
    ).fetchall():
        submissions.setdefault(org, []).append(Submission(*rest))
    counts: dict[str, Counter[str]] = {}
    for org, reason, n in con.execute(
        """SELECT q.org_code, q.reason, count(*)
           FROM quarantine AS q JOIN submissions AS s USING (submission_id)
           WHERE q.reporting_month = ? AND s.status IN ('loaded', 'unreadable')
           GROUP BY ALL""",
        [month],
    ).fetchall():
        counts.setdefault(org, Counter())[reason_kind(reason)] += n
    quarantine = {
        org: [ReasonCount(k, n) for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
        for org, c in sorted(counts.items())
    }
    dates = con.execute("SELECT any_value(postcode_introduction_dates) FROM reference_fingerprint").fetchone()
    return ScorecardData(month, months, trusts, frame, submissions, quarantine, dates[0] if dates else None)
