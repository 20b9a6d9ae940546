"""Properties of the reconciliation over generated extracts (hypothesis), against an oracle written
here from the rule as documented, not from the SQL:

* every pregnancy of either extract is counted once: linked x 2 + only in record + only in
  parallel + unlinkable = the pregnancies of both extracts;
* per person key, min(record, parallel) pregnancies link and the rest are only on their side;
* each data item puts each linked pair in exactly one outcome, the one the pairing rule gives
  (each side's pregnancies of a person numbered by booking date then line, n-th with n-th).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.warehouse import read_sql

MONTH = "2026-03"
CLASSES = ["valid", "default", "invalid", "missing"]
# data item (measure id) -> (class column, value column), as checks/rules.yaml reconciles them
ITEMS = {
    "MSD_MOTHER_POSTCODE_VALID": ("postcode_class", "postcode"),
    "MSD_MOTHER_ETHNIC_VALID": ("ethnic_category_class", "ethnic_category"),
    "MSD_SMOKING_RECORDED": ("smoking_class", "smoking_status"),
    "MSD_GESTATION_VALID": ("gestation_class", "gestation_days"),
}

pregnancy = st.fixed_dictionaries(
    {
        "person": st.one_of(st.none(), st.integers(0, 4)),  # None: no valid NHS number
        "day": st.integers(1, 28),
        "classes": st.tuples(*(st.sampled_from(CLASSES) for _ in ITEMS)),
        "values": st.tuples(
            st.sampled_from(["CV1 2AB", "CV3 4CD"]),
            st.sampled_from(["A", "B"]),
            st.sampled_from(["never", "ex"]),
            st.sampled_from([70, 71]),
        ),
    }
)


def _frame(rows: list[dict], side: str) -> pl.DataFrame:
    system = "K2" if side == "record" else "Cerner"
    records = []
    for line, r in enumerate(rows, start=2):
        record = {
            "reporting_month": MONTH,
            "org_code": "RKB",
            "source_system": system,
            "submission_id": f"{side}-file",
            "source_file": f"{side}.csv",
            "source_line": line,
            "pregnancy_key": f"{side}-{line}",
            "person_key": f"person-{r['person']}" if r["person"] is not None else f"local-{side}-{line}",
            "nhs_number_class": "valid" if r["person"] is not None else "invalid",
            "booking_date": date(2026, 3, r["day"]),
        }
        for (class_column, value_column), cls, value in zip(ITEMS.values(), r["classes"], r["values"], strict=True):
            record[class_column] = cls
            record[value_column] = value
        records.append(record)
    return pl.DataFrame(records, schema_overrides={"gestation_days": pl.Int32})


def _reconcile(record: list[dict], parallel: list[dict]) -> pl.DataFrame:
    from pipelines.golive import compute_golive

    con = duckdb.connect()
    con.execute(read_sql("warehouse/tables"))
    for table, rows, side in (("bookings", record, "record"), ("parallel_bookings", parallel, "parallel")):
        if rows:
            con.register("_rows", _frame(rows, side).to_arrow())
            # Columns the reconciliation does not read keep the values the contract allows.
            con.execute(
                f"""INSERT INTO {table} BY NAME SELECT *, false AS gestation_valid, false AS postcode_valid,
                    false AS postcode_has_lsoa, 2025 AS imd_edition, false AS ethnic_category_valid,
                    'Not known' AS ethnic_group, false AS bmi_recorded, false AS smoking_recorded,
                    false AS co_recorded, false AS nhs_number_valid, 'missing' AS bmi_class,
                    'missing' AS co_class FROM _rows"""
            )
    frame = compute_golive(con, MONTH)
    con.close()
    return frame


def _oracle(record: list[dict], parallel: list[dict]):
    """(coverage counts, {item: {outcome: count}}) by the documented rule."""
    sides = {}
    for name, rows in (("record", record), ("parallel", parallel)):
        by_person = defaultdict(list)
        for line, r in enumerate(rows, start=2):
            if r["person"] is not None:
                by_person[r["person"]].append(((r["day"], line), r))
        sides[name] = {p: [r for _, r in sorted(v, key=lambda x: x[0])] for p, v in by_person.items()}
    pairs, only_record, only_parallel = [], 0, 0
    for person in set(sides["record"]) | set(sides["parallel"]):
        mine, theirs = sides["record"].get(person, []), sides["parallel"].get(person, [])
        pairs += list(zip(mine, theirs, strict=False))
        only_record += max(0, len(mine) - len(theirs))
        only_parallel += max(0, len(theirs) - len(mine))
    unlinkable = sum(r["person"] is None for r in record + parallel)
    outcomes = {}
    for i, item in enumerate(ITEMS):
        counts = defaultdict(int)
        for r, p in pairs:
            rv, pv = r["classes"][i] == "valid", p["classes"][i] == "valid"
            if rv and pv:
                counts["both_valid_same" if r["values"][i] == p["values"][i] else "both_valid_different"] += 1
            elif rv or pv:
                counts["valid_only_in_record" if rv else "valid_only_in_parallel"] += 1
            else:
                counts["neither_valid"] += 1
        outcomes[item] = dict(counts)
    return (len(pairs), only_record, only_parallel, unlinkable), outcomes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=st.lists(pregnancy, max_size=8), parallel=st.lists(pregnancy, min_size=1, max_size=8))
def test_every_pregnancy_counted_once_and_each_pair_in_one_outcome(record, parallel):
    frame = _reconcile(record, parallel)
    rows = {r["data_item"]: r for r in frame.iter_rows(named=True)}
    coverage = rows["pregnancies"]
    got = tuple(coverage[c] for c in ("linked", "only_in_record", "only_in_parallel", "unlinkable"))
    assert 2 * got[0] + got[1] + got[2] + got[3] == len(record) + len(parallel)
    expected_coverage, expected_items = _oracle(record, parallel)
    assert got == expected_coverage
    outcomes = ["both_valid_same", "both_valid_different", "valid_only_in_record", "valid_only_in_parallel"]
    for item in ITEMS:
        counts = {c: rows[item][c] for c in [*outcomes, "neither_valid"] if rows[item][c]}
        assert counts == expected_items[item]
        assert sum(rows[item][c] for c in [*outcomes, "neither_valid"]) == rows[item]["linked"] == got[0]
