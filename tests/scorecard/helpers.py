"""Helpers for the scorecard tests: warehouses, built from the hand-written fixture month (2025-04).

`shift_to_may` copies the fixture extracts to 2025-05 with every booking and event date moved one
month on, so that the second month holds the same facts as the first, with one deliberate change:
RKB's first booking (lines 2 and its exact duplicate, 9) has its postcode `cv1 2ab` replaced by
`TBC`, a null token. So in 2025-05 RKB has 1 valid postcode of 6 (16.7%, down 16.7 points on
April's 2 of 6: CV5 6EF is terminated in both), and everything else is as hand-counted in
tests/ingest/test_fixture_month.py.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from tests.conftest import FIXTURE_LANDING, load

APRIL, MAY = "2025-04", "2025-05"

# (file in the fixture, its May name, byte replacements applied in order)
_SHIFTS = [
    (
        "K2_RKB_MaternityBookings_202504.csv",
        "K2_RKB_MaternityBookings_202505.csv",
        [(b"/04/2025", b"/05/2025"), (b"/03/2025", b"/04/2025"), (b"cv1 2ab", b"TBC")],
    ),
    (
        "BadgerNet_RJC_Booking_2025-04.csv",
        "BadgerNet_RJC_Booking_2025-05.csv",
        [(b"2025-05-01", b"2025-06-01"), (b"2025-04-31", b"2025-05-32"), (b"2025-04-", b"2025-05-")],
    ),
    (
        "CERNER_RLT_202504_PREGNANCY.txt",
        "CERNER_RLT_202505_PREGNANCY.txt",
        [(b"APR-2025", b"MAY-2025"), (b"MAR-2025", b"APR-2025")],
    ),
    (
        "CERNER_RLT_202504_CLINICAL_EVENTS.txt",
        "CERNER_RLT_202505_CLINICAL_EVENTS.txt",
        [(b"31-APR-2025", b"32-MAY-2025"), (b"APR-2025", b"MAY-2025"), (b"MAR-2025", b"APR-2025")],
    ),
]


def copy_landing(target: Path) -> Path:
    shutil.copytree(FIXTURE_LANDING, target)
    return target


def shift_to_may(landing: Path) -> None:
    for name, new_name, replacements in _SHIFTS:
        data = (landing / name).read_bytes()
        for old, new in replacements:
            assert old in data, (name, old)
            data = data.replace(old, new)
        (landing / new_name).write_bytes(data)


def build(landing: Path, warehouse: Path, months: list[str]) -> Path:
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import compute_measures

    for month in months:
        load(landing, warehouse, month)
        with connect(warehouse) as con:
            compute_measures(con, month)
    return warehouse


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, white space collapsed."""
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.DOTALL)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()
    return re.sub(r" ([:.,;)])", r"\1", text)


def element(page: str, tag: str, **attrs: str) -> str:
    """The first <tag ...attrs...>...</tag> (no nesting of the same tag inside)."""
    conditions = "".join(rf'(?=[^>]*\b{k.rstrip("_").replace("_", "-")}="{re.escape(v)}")' for k, v in attrs.items())
    match = re.search(rf"<{tag}\b{conditions}[^>]*>(.*?)</{tag}>", page, flags=re.DOTALL)
    assert match, f"no <{tag}> with {attrs}"
    return match.group(1)


def section(page: str, org: str) -> str:
    start = page.index(f'data-org="{org}"')
    end = page.find('<section id="', start)
    return page[start : end if end > 0 else len(page)]


def table_rows(page: str, table_id: str) -> list[list[str]]:
    body = element(page, "table", id=table_id)
    return [
        [text_of(c) for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.DOTALL)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, flags=re.DOTALL)
    ]


SAMPLE_MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]


def build_sample(warehouse: Path) -> Path:
    """The shipped sample's 18 months loaded, measured and reconciled (no Great Expectations gate:
    the scorecard reads the stored tables only)."""
    from pipelines.core.paths import REPO_ROOT
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive
    from pipelines.measures.compute import compute_measures

    for month in SAMPLE_MONTHS:
        load(REPO_ROOT / "sample_data", warehouse, month)
        with connect(warehouse) as con:
            compute_measures(con, month)
            compute_golive(con, month)
    return warehouse


def render_month(warehouse: Path, month: str, out: Path) -> tuple[str, dict[str, dict[str, int]]]:
    """The month's scorecard HTML and each Trust's exact totals (org -> measure -> numerator)."""
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import read_measures
    from pipelines.scorecard import write_scorecard

    with connect(warehouse) as con:
        page = write_scorecard(con, month, out).read_text(encoding="utf-8")
        with con.cursor() as cursor:  # the page's reads may leave a result pending on con
            overall = read_measures(cursor, month).filter(breakdown="overall")
    totals: dict[str, dict[str, int]] = {}
    for org, measure, n in overall.select("org_code", "measure_id", "numerator").iter_rows():
        totals.setdefault(org, {})[measure] = n
    return page, totals
