"""The code maps' keys and the null tokens are normalised as the models normalise the extract.

A source value is matched to a map key by ``match_key`` in SQL (the rules' white space trimmed,
DuckDB's ``upper``); the key side is normalised in Python. The two must agree on non-ASCII text,
or a Trust whose system spells a category with ``ß`` or pads it with a zero-width space maps to
nothing and its women drop out of the ethnicity measure unseen. Expected keys are written out by
hand: U+200B and U+00A0 are in checks/rules.yaml's white-space list; DuckDB upper-cases ``ß`` to
``ẞ`` (U+1E9E) and leaves the ligature ``ﬆ`` alone, where Python gives ``SS`` and ``ST``.
"""

from __future__ import annotations

import dataclasses

import duckdb

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.model_rules import install_rules, rule_tables, rule_variables


def _layouts_with(ethnic_keys: dict[str, str], smoking_keys: dict[str, str]):
    layouts = load_layouts()
    k2 = next(layout for layout in layouts.layouts if layout.system == "K2")
    maps = {**k2.maps, "ethnic_map": ethnic_keys, "smoking_map": smoking_keys}
    swapped = tuple(dataclasses.replace(x, maps=maps) if x is k2 else x for x in layouts.layouts)
    return dataclasses.replace(layouts, layouts=swapped)


def test_map_keys_are_trimmed_of_the_rules_white_space_and_upper_cased_as_duckdb_does():
    layouts = _layouts_with({"\u200bWeiß\u00a0": "A", "\ufb06tate": "B"}, {" Raucherin\u3000": "current"})
    tables = rule_tables(load_rules(), layouts)
    ethnic = {r["source_key"]: r["code"] for r in tables["map_ethnic"].filter(system="K2").iter_rows(named=True)}
    smoking = {r["source_key"]: r["status"] for r in tables["map_smoking"].filter(system="K2").iter_rows(named=True)}
    assert ethnic == {"WEI\u1e9e": "A", "\ufb06TATE": "B"}
    assert smoking == {"RAUCHERIN": "current"}


def test_a_source_value_spelt_as_the_key_finds_it_through_the_models_match_key():
    layouts = _layouts_with({"\u200bWeiß\u00a0": "A", "\ufb06tate": "B"}, {})
    con = duckdb.connect()
    install_rules(con, load_rules(), layouts)
    found = con.execute(
        "SELECT v, code FROM (VALUES ('weiß'), ('\u00a0WEIß'), ('\ufb06TATE'), ('weiss')) AS t(v) "
        "LEFT JOIN map_ethnic AS e ON e.system = 'K2' AND e.source_key = match_key(t.v) ORDER BY v"
    ).fetchall()
    # "weiss" is another word to DuckDB's upper (WEISS), so it must not match the key "Weiß".
    assert dict(found) == {"weiß": "A", "\u00a0WEIß": "A", "\ufb06TATE": "B", "weiss": None}


def test_a_null_token_with_a_non_ascii_letter_nulls_the_postcode_typed_in_either_case():
    rules = load_rules()
    rules = {**rules, "postcode": {**rules["postcode"], "null_tokens": [*rules["postcode"]["null_tokens"], "Straße"]}}
    assert "STRA\u1e9eE" in rule_variables(rules, load_layouts())["postcode_null_tokens"]
    con = duckdb.connect()
    install_rules(con, rules, load_layouts())
    got = con.execute("SELECT normalise_postcode('straße'), normalise_postcode('STRAẞE\u00a0')").fetchone()
    assert got == (None, None)
