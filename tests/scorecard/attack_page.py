"""The attacker's eyes: the scorecard's tables read from the rendered HTML, as a reader sees them
(tests/scorecard/disclosure_attack.py does the arithmetic)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

NOT_KNOWN = "Not known"


@dataclass
class Table:
    id: str
    caption: str = ""
    classes: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class _Tables(HTMLParser):
    """Every <table>: its id, caption text, header cells of its <thead> and the text of each body row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._stack.append(Table(a.get("id") or "", classes=a.get("class") or ""))
        elif not self._stack:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                table.headers = self._row
            else:
                table.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if not self._stack:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self._stack[-1].caption += data


def page_tables(page: str) -> list[Table]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def women_booked(page: str) -> dict[str, int]:
    """Each Trust's exact women booked, from the summary table."""
    [summary] = [t for t in page_tables(page) if t.id == "summary-table"]
    col = summary.headers.index("Women booked")
    return {row[0].split()[0]: int(row[col].replace(",", "")) for row in summary.rows}


@dataclass
class Shown:
    """One breakdown table as the reader sees it."""

    org: str
    breakdown: str
    measures: list[str]  # measure ids of the rate columns, in order
    groups: list[tuple[str, str, list[str]]]  # (group, women text, rate texts)


def breakdown_tables(page: str, titles: dict[str, str]) -> list[Shown]:
    """The page's breakdown tables (id bd-<org>-<breakdown>); columns named by measure title."""
    out = []
    for t in page_tables(page):
        m = re.fullmatch(r"bd-([a-z0-9]+)-(imd-decile|imd-quintile|ethnic-group|ethnic-category)", t.id)
        if not m:
            continue
        org, breakdown = m.group(1).upper(), m.group(2).replace("-", "_")
        measures = [titles[re.sub(r"\s*\(threshold.*\)$", "", h)] for h in t.headers[2:]]
        groups = [(_group_key(breakdown, row[0]), row[1], row[2:]) for row in t.rows]
        out.append(Shown(org, breakdown, measures, groups))
    return out


def _group_key(breakdown: str, label: str) -> str:
    """'1 (most deprived)' -> '1'; 'A (White)' -> 'A'; 'Not known' stays."""
    if label == NOT_KNOWN:
        return label
    if breakdown == "ethnic_category":
        return re.sub(r" \([^()]*\)$", "", label)
    return label.split(" ")[0] if breakdown.startswith("imd") else label
