"""The HTML scorecard: one self-contained page per month, read from the warehouse's stored tables.

    write_scorecard(con, month, out_dir, data_docs=None, worklists=None, run_started=None) -> Path

writes out_dir/scorecard-YYYY-MM.html atomically. Modules: data (stored tables -> a polars frame
and dataclasses), spc (XmR / Making Data Count), disclosure (small-cell suppression), findings (the
plain-English line on where data quality is worst), charts (inline SVG), labels (month names, anchors,
links), tiles (the headline tiles), trends (the SPC chart, summary and data table per Trust and
measure), breakdowns (the IMD and ethnicity tables, rendered for every Trust at once), page (the
view model: build_page) and render (render_scorecard, write_scorecard: data -> page -> template).
"""

from pipelines.scorecard.render import render_scorecard, write_scorecard

__all__ = ["render_scorecard", "write_scorecard"]
