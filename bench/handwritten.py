"""Reference (c): the two gated rates straight from the files, written by hand, and the read floor.

What the whole job is set beside: polars reads every current extract (the read floor is that
read alone), then one DuckDB query places each booking in its month, keeps a pregnancy's first
row, normalises the postcode, looks it up in the postcode directory and maps the ethnic category,
and gives each Trust-month's valid-postcode and valid-ethnic-category rates. No contracts beyond
what placing a row needs, no pseudonyms, no audit trail, no outputs: a floor, not a pipeline. Its
rates are compared with the gate's stored results (`gate_results`) Trust-month by Trust-month.

File selection (which file is current, and which system is a Trust-month's record) is the
pipeline's own (`landing.choose_current`, `routing.choose_record`): it is not what is measured here.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import BENCH_KEY


def _read(path: Path, layout) -> Any:
    """One extract as text columns named by the layout (None when polars cannot read it)."""
    import polars as pl

    data = path.read_bytes()
    if layout.encoding.lower().replace("-", "") in ("cp1252", "windows1252"):
        data = data.decode("cp1252", errors="replace").encode()
    try:
        frame = pl.read_csv(
            data,
            separator=layout.delimiter,
            infer_schema=False,
            quote_char='"' if layout.quoting != "none" else None,
            truncate_ragged_lines=True,
            encoding="utf8-lossy",
        )
    except Exception:  # noqa: BLE001  (an unreadable file: its Trust-month has no bookings)
        return None
    wanted = ("pregnancy_id", "booking_date", "postcode", "ethnic_source")
    by_header = {str(c).strip().lstrip("\ufeff").casefold(): c for c in frame.columns}
    columns = {}
    for name in wanted:
        spec = layout.column(name)
        found = by_header.get(spec.header.strip().casefold()) if spec else None
        columns[name] = pl.col(found) if found else pl.lit(None, dtype=pl.String)
    return frame.select(**columns)


def _files(landing: Path, layouts) -> list[tuple[Path, Any, str, str]]:
    """The current booking extracts of each Trust-month's system of record (a parallel run's left out)."""
    from pipelines.ingest.landing import choose_current, discover
    from pipelines.ingest.routing import choose_record

    current = choose_current(discover(landing, layouts), layouts).current
    sent: dict[tuple[str, str], set[str]] = {}
    for e in current:
        sent.setdefault((e.org_code, e.month), set()).add(e.layout.system)
    record = {
        (org, month): choose_record(
            org, month, [s for s in layouts.system_order if s in systems], layouts.system_of_record(org, month)
        )[0]
        for (org, month), systems in sent.items()
    }
    return [
        (e.path, e.layout, e.org_code, e.month)
        for e in current
        if e.layout.role in ("bookings", "pregnancy") and e.layout.system == record[(e.org_code, e.month)]
    ]


def phase_handwritten(a: dict[str, Any]) -> dict[str, Any]:
    os.environ["MDQ_LAYOUTS"] = a["layouts"]
    os.environ["MDQ_PSEUDONYM_KEY"] = BENCH_KEY
    import duckdb
    import polars as pl

    from pipelines.core.config import load_layouts, load_rules
    from pipelines.core.whitespace import whitespace_class_python, whitespace_class_re2

    rules, layouts = load_rules(), load_layouts()
    landing = Path(a["landing"])
    files = _files(landing, layouts)

    start = time.perf_counter()
    frames = [(f, _read(f[0], f[1])) for f in files]
    read_s = time.perf_counter() - start

    kinds = layouts.layouts
    formats = {lay.key: lay.formats["booking_date"] for lay in kinds if "booking_date" in lay.formats}
    patterns = {lay.key: lay.patterns.get("pregnancy_id", ".*") for lay in kinds}
    ethnic_map = [(lay.key, k.strip().upper(), v) for lay in kinds for k, v in lay.maps.get("ethnic_map", {}).items()]
    mapped = sorted({key for key, _, _ in ethnic_map})  # layouts whose ethnicity is text to map
    parts = [
        frame.with_row_index("line").with_columns(
            layout=pl.lit(layout.key), org_code=pl.lit(org), file_month=pl.lit(month), file=pl.lit(str(path))
        )
        for (path, layout, org, month), frame in frames
        if frame is not None
    ]
    rows = pl.concat(parts, how="vertical_relaxed")
    con = duckdb.connect()
    con.register("rows", rows.to_arrow())
    con.register("ethnic_map", pl.DataFrame(ethnic_map, schema=["layout", "src", "code"], orient="row").to_arrow())
    directory = pl.read_csv(
        next(Path(a["reference"]).glob("ONSPD*.csv")), columns=["pcds", "dointr", "doterm"], infer_schema=False
    )
    con.register("directory", directory.to_arrow())
    blank = whitespace_class_re2(rules)
    tokens = [re.sub(whitespace_class_python(rules), "", str(t)).upper() for t in rules["postcode"]["null_tokens"]]
    pseudo = [str(p).upper() for p in rules["postcode"]["pseudo_outward_codes"]]
    codes = [str(c) for c in rules["ethnic_category"]["valid_codes"]]
    today = date.today().isoformat()
    # strptime wants its format as a constant: one branch per layout
    id_ok = " ".join(f"WHEN '{key}' THEN regexp_matches(r.pregnancy_id, '{pat}')" for key, pat in patterns.items())
    parse = " ".join(f"WHEN '{key}' THEN try_strptime(r.booking_date, '{fmt}')" for key, fmt in formats.items())
    sql = f"""
    WITH placed AS (
        SELECT r.*, CAST(CASE r.layout {parse} END AS DATE) AS booked
        FROM rows r
        WHERE r.pregnancy_id IS NOT NULL AND CASE r.layout {id_ok} END
    ), firsts AS (
        SELECT * FROM placed
        WHERE booked IS NOT NULL AND strftime(booked, '%Y-%m') = file_month AND booked <= DATE '{today}'
        QUALIFY row_number() OVER (PARTITION BY file, pregnancy_id ORDER BY line) = 1
    ), judged AS (
        SELECT f.file_month, f.org_code,
               upper(regexp_replace(coalesce(f.postcode, ''), '{blank}', '', 'g')) AS compact,
               CASE WHEN list_contains({mapped}, f.layout) THEN m.code ELSE upper(trim(f.ethnic_source)) END AS ethnic
        FROM firsts f LEFT JOIN ethnic_map m ON m.layout = f.layout AND m.src = upper(trim(f.ethnic_source))
    ), normal AS (
        SELECT *, CASE WHEN compact = '' OR list_contains({tokens}, compact) THEN NULL
                       WHEN length(compact) <= 3 THEN compact
                       ELSE left(compact, length(compact) - 3) || ' ' || right(compact, 3) END AS postcode
        FROM judged
    )
    SELECT n.file_month, n.org_code, count(*) AS booked,
           count_if(d.pcds IS NOT NULL AND NOT list_contains({pseudo}, split_part(n.postcode, ' ', 1))) AS pc_valid,
           count_if(list_contains({codes}, n.ethnic)) AS ec_valid
    FROM normal n
    LEFT JOIN directory d ON d.pcds = n.postcode
        AND coalesce(d.dointr <= replace(n.file_month, '-', ''), true)
        AND coalesce(d.doterm = '' OR d.doterm >= replace(n.file_month, '-', ''), true)
    GROUP BY ALL ORDER BY ALL
    """
    rates = con.execute(sql).fetchall()
    total_s = time.perf_counter() - start
    out = {"read_s": read_s, "total_s": total_s, "files": len(files), "rows": rows.height}
    if a.get("warehouse"):
        out["agreement"] = agreement(rates, a["warehouse"])
    return out


def agreement(rates: list[tuple], warehouse: str) -> dict[str, int]:
    """Trust-months whose hand-made counts equal the gate's stored counts (both gated measures)."""
    import duckdb

    with duckdb.connect(warehouse, read_only=True) as con:
        stored = con.execute(
            """SELECT reporting_month, org_code, max(element_count),
                      max(element_count - unexpected_count) FILTER (measure_id = 'MSD_MOTHER_POSTCODE_VALID'),
                      max(element_count - unexpected_count) FILTER (measure_id = 'MSD_MOTHER_ETHNIC_VALID')
               FROM gate_results WHERE element_count > 0 GROUP BY ALL"""
        ).fetchall()
    mine = {(m, o): (n, p, e) for m, o, n, p, e in rates}
    theirs = {(m, o): (n, p, e) for m, o, n, p, e in stored}
    same = sum(mine.get(k) == v for k, v in theirs.items())
    return {"trust_months": len(theirs), "agree": same, "only_here": len(set(mine) - set(theirs))}
