"""The rules file and the layouts' code maps as the models read them, on every engine.

Scalars and lists become DuckDB variables (``getvariable('name')``, rendered as literals for
Spark); lists of rows become the ``rule_*`` and ``map_*`` tables the models join. Map keys and
null tokens are normalised here exactly as the models normalise the extract's text
(``match_key``, ``postcode_compact`` in sql/macros/msds_rules.sql): the rules' white space
stripped, then DuckDB's ``upper``. Python's own ``strip`` and ``upper`` differ on non-ASCII text
(``strip`` knows no zero-width space; ``upper`` turns ``ß`` into ``SS`` where DuckDB gives
``ẞ``), and a key normalised unlike the value it should match silently maps nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from pipelines.core.config import Layouts, postcode_validity
from pipelines.core.upper_case import upper_text
from pipelines.core.warehouse import read_sql
from pipelines.core.whitespace import whitespace_class_python, whitespace_class_re2


def _set(con: duckdb.DuckDBPyConnection, name: str, value: Any) -> None:
    con.execute(f"SET VARIABLE {name} = $value", {"value": value})


def rule_variables(rules: dict[str, Any], layouts: Layouts) -> dict[str, Any]:
    """The rules file's values as the models read them (``getvariable('name')``), for every engine."""
    pc = rules["postcode"]
    blank = re.compile(whitespace_class_python(rules))
    eth = rules["ethnic_category"]
    variables: dict[str, Any] = {
        "whitespace_class": whitespace_class_re2(rules),
        "postcode_validity": postcode_validity(rules),
        "postcode_format_regex": pc["format_regex"],
        "postcode_pseudo_outward": [str(x) for x in pc["pseudo_outward_codes"]],
        # Tokens are compared with the postcode as normalised: no white space at all, upper case.
        "postcode_null_tokens": [upper_text(blank.sub("", str(x))) for x in pc["null_tokens"]],
        "ethnic_valid_codes": [str(x) for x in eth["valid_codes"]],
        "ethnic_default_codes": [str(x) for x in eth.get("default_codes", [])],
        "ethnic_not_known_group": eth["not_known_group"],
    }
    for field, bounds in rules["plausibility"].items():
        variables[f"{field}_min"] = float(bounds["min"])
        variables[f"{field}_max"] = float(bounds["max"])
    variables["smoking_recorded"] = [str(x) for x in rules["smoking"]["recorded"]]
    variables["smoking_default"] = [str(x) for x in rules["smoking"].get("not_recorded", [])]
    variables["imd_edition"] = int(rules["imd"]["edition"])
    variables["lsoa_code_pattern"] = str(rules["imd"].get("lsoa_code_pattern", ".+"))
    events = layouts.by_key("CernerEvents")
    variables["cerner_booking_window_days"] = int(events.extra["booking_window_days_after"])
    measures = rules["measures"]
    variables["measure_flags"] = [m["flag"] for m in measures if m["kind"] == "flag_rate"]
    classes = [m["class_column"] for m in measures if m["kind"] == "flag_rate"]
    variables["measure_class_pattern"] = "^(" + "|".join(re.escape(c) for c in classes) + ")$"
    variables["not_known_label"] = eth["not_known_group"]
    variables["breakdowns"] = list(rules["breakdowns"])
    # Go-live reconciliation (sql/golive/): the measures marked `reconcile`, with the class column
    # judged and the value column compared ("same"), rounded to `decimals` when given.
    reconciled = [m for m in measures if m.get("reconcile")]
    variables["golive_class_pattern"] = "^(" + "|".join(re.escape(m["class_column"]) for m in reconciled) + ")$"
    variables["golive_value_pattern"] = "^(" + "|".join(re.escape(m["reconcile"]["value"]) for m in reconciled) + ")$"
    return variables


def match_key(rules: dict[str, Any]) -> Callable[[str], str]:
    """The models' ``match_key`` in Python: the rules' white space trimmed, DuckDB's upper case."""
    edge = whitespace_class_python(rules)
    ends = re.compile(f"^{edge}+|{edge}+$")
    return lambda text: upper_text(ends.sub("", str(text)))


def rule_tables(rules: dict[str, Any], layouts: Layouts) -> dict[str, pl.DataFrame]:
    """The rules' lists and the layouts' code maps as the tables the models join (rule_*, map_*)."""
    measures = rules["measures"]
    eth = rules["ethnic_category"]
    events = layouts.by_key("CernerEvents")
    tables = {
        "rule_measures": pl.DataFrame(
            [
                (
                    m["id"],
                    m["flag"],
                    m["class_column"],
                    (m.get("msds") or {}).get("data_table"),
                    (m.get("msds") or {}).get("uid"),
                    (m.get("msds") or {}).get("data_item"),
                    bool(m.get("gated")),
                    float(m["threshold"]) if m.get("gated") else None,
                    m.get("severity", "error"),
                    list(m.get("degenerate_breakdowns", [])),
                    i,
                )
                for i, m in enumerate(measures)
            ],
            schema={
                "measure_id": pl.String,
                "flag": pl.String,
                "class_column": pl.String,
                "msds_data_table": pl.String,
                "msds_uid": pl.String,
                "msds_data_item": pl.String,
                "gated": pl.Boolean,
                "threshold": pl.Float64,
                "severity": pl.String,
                "degenerate_breakdowns": pl.List(pl.String),
                "measure_order": pl.Int32,
            },
            orient="row",
        ),
        "rule_providers": pl.DataFrame(
            {"org_code": list(layouts.providers), "provider_name": list(layouts.providers.values())},
            schema={"org_code": pl.String, "provider_name": pl.String},
        ),
    }
    reconciled = [m for m in measures if m.get("reconcile")]
    items = [(m["id"], m["class_column"], m["reconcile"]["value"], m["reconcile"].get("decimals")) for m in reconciled]
    columns = {"measure_id": pl.String, "class_column": pl.String, "value_column": pl.String, "decimals": pl.Int32}
    frame = pl.DataFrame(items, schema=columns, orient="row").with_row_index("item_order")
    tables["rule_golive_items"] = frame.cast({"item_order": pl.Int32})
    groups = [(str(code), group) for group, codes in eth["groups"].items() for code in codes]
    tables["rule_ethnic_groups"] = pl.DataFrame(groups, schema=["code", "ethnic_group"], orient="row")
    key = match_key(rules)
    ethnic, smoking = [], []
    for layout in layouts.layouts:
        ethnic += [(layout.system, key(k), v) for k, v in layout.maps.get("ethnic_map", {}).items()]
        smoking += [(layout.system, key(k), v) for k, v in layout.maps.get("smoking_map", {}).items()]
    tables["map_ethnic"] = pl.DataFrame(ethnic, schema=["system", "source_key", "code"], orient="row").unique()
    tables["map_smoking"] = pl.DataFrame(smoking, schema=["system", "source_key", "status"], orient="row").unique()
    canonical_units = events.extra["measurement_units"]
    tables["map_events"] = pl.DataFrame(
        [(k, v, canonical_units[v]) for k, v in events.maps["event_map"].items()],
        schema={"event": pl.String, "measurement": pl.String, "unit": pl.String},
        orient="row",
    )
    tables["map_units"] = pl.DataFrame(
        [(k, v["to"], float(v["factor"])) for k, v in events.extra["unit_factors"].items()],
        schema=["unit", "to_unit", "factor"],
        orient="row",
    )
    return tables


def install_rules(con: duckdb.DuckDBPyConnection, rules: dict[str, Any], layouts: Layouts) -> None:
    """Puts the rules file and the layout code maps where SQL can read them, then the macros."""
    for name, value in rule_variables(rules, layouts).items():
        _set(con, name, value)
    for name, frame in rule_tables(rules, layouts).items():
        _register(con, name, frame)
    con.execute(read_sql("macros/msds_rules"))


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register(f"_{name}_frame", frame.to_arrow())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}_frame")
    con.unregister(f"_{name}_frame")
