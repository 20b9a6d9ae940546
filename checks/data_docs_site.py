"""The Data Docs pages an analyst opens first: the site's index (every month and Trust) and each
month's index (every Trust's figures, with a link to the GE page of each Trust that fails).

Plain HTML made here (Jinja, autoescaped: Trust codes come from file names), no script and nothing
from the network. Each month folder carries ``summary.json``, what its index shows; the site
index is made again from the month folders on disk whenever one of them is built, so it lists
exactly the months the site holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.core.files import write_atomically

SUMMARY = "summary.json"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem; color: #1d1d1d; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fail { background: #fde2e1; } .pass { background: #e3f4e1; } .none { color: #777; }
p.note { color: #444; max-width: 60rem; }
"""

_MONTH = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs {{ month }}: gate by Trust</title>
<style>{{ style }}</style></head><body>
<p><a href="../index.html">All months</a></p>
<h1>Great Expectations gate, {{ month }}: {{ trusts|length }} Trusts, {{ failing }} failing</h1>
<p class="note">One validation of the month's bookings, cut per Trust: each Trust's counts below are its own.
A Trust that fails has a page of its own with its unexpected values and the file and line of each record;
its worklist lists every such record. The Trust-level verdicts are on <a href="validations/gate.html">the
gate page</a>; the rules on the suites' pages ({% for s in suites %}<a href="expectations/{{ s }}.html">{{ s }}</a>{{ ", " if not loop.last }}{% endfor %}).</p>
<table><thead><tr><th>Trust</th><th>Name</th><th>Bookings</th>
{% for m in measures %}<th>{{ m.title }} (&ge; {{ m.threshold_pct }})</th>{% endfor %}<th>Details</th></tr></thead><tbody>
{% for t in trusts %}<tr id="{{ t.org }}" class="{{ 'fail' if t.failing else 'pass' }}">
<td>{{ t.org }}</td><td>{{ t.name }}</td><td class="num">{{ "{:,}".format(t.bookings) }}</td>
{% for m in t.measures %}<td class="num">{% if t.bookings %}{{ m.rate }} ({{ "{:,}".format(m.valid) }} valid, {{ "{:,}".format(m.unexpected) }} not) {{ "pass" if m.passed else "FAIL" }}{% else %}no bookings: FAIL{% endif %}</td>{% endfor %}
<td>{% if t.page %}<a href="{{ t.page }}">validation of {{ t.org }}</a>{% else %}<span class="none">{{ "passes: figures here" if not t.failing else "no rows to show" }}</span>{% endif %}</td></tr>
{% endfor %}</tbody></table>
</body></html>
"""

_SITE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs: gate by month and Trust</title>
<style>{{ style }}</style></head><body>
<h1>Great Expectations gate by month and Trust</h1>
<p class="note">Each month's gated measures, validated once over every Trust's bookings and reported per Trust.
A cell links to the Trust's own validation page where it fails, else to its line in the month's index.
These pages list record-level invalid values: they are for analysts, not for circulation.</p>
{% if months %}
<table><thead><tr><th>Trust</th><th>Name</th>
{% for m in months %}<th><a href="{{ m.month }}/index.html">{{ m.month }}</a><br>{{ m.failing }} failing</th>{% endfor %}
</tr></thead><tbody>
{% for org, name in trusts %}<tr><td>{{ org }}</td><td>{{ name }}</td>
{% for m in months %}{% set t = m.by_org.get(org) %}{% if t %}<td class="{{ 'fail' if t.failing else 'pass' }}"><a href="{{ m.month }}/{{ t.page or ('index.html#' ~ org) }}">{{ "fail" if t.failing else "pass" }}</a></td>{% else %}<td class="none">&ndash;</td>{% endif %}{% endfor %}
</tr>{% endfor %}</tbody></table>
{% else %}<p>No month built yet.</p>{% endif %}
</body></html>
"""

_TEMPLATES: dict[str, object] = {}  # compiled once per process


def _template(source: str):
    if source not in _TEMPLATES:
        from jinja2 import Environment

        _TEMPLATES[source] = Environment(autoescape=True, keep_trailing_newline=True).from_string(source)
    return _TEMPLATES[source]


def write_month_index(folder: Path, summary: dict[str, Any]) -> Path:
    """``index.html`` and ``summary.json`` of a month folder (being built)."""
    (folder / SUMMARY).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    failing = sum(t["failing"] for t in summary["trusts"])
    html = _template(_MONTH).render(style=_STYLE, failing=failing, **summary)
    (folder / "index.html").write_text(html, encoding="utf-8")
    return folder / "index.html"


def write_site_index(root: Path) -> Path:
    """The site's ``index.html`` from the month folders under ``root`` (newest month first)."""
    months, names = [], {}
    for summary_file in sorted(root.glob(f"[0-9][0-9][0-9][0-9]-[0-9][0-9]/{SUMMARY}"), reverse=True):
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a month folder of another version: left out, not a failed build
        by_org = {t["org"]: t for t in summary["trusts"]}
        names.update({org: t.get("name", "") for org, t in by_org.items()})
        months.append(
            {"month": summary["month"], "failing": sum(t["failing"] for t in by_org.values()), "by_org": by_org}
        )
    html = _template(_SITE).render(style=_STYLE, months=months, trusts=sorted(names.items()))
    index = root / "index.html"
    write_atomically(index, html.encode("utf-8"))
    return index
