"""Constants the benchmark's modules share: the repository, the benchmark's key, the stages it times."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_KEY = "maternity-dq benchmark key (synthetic data only)"
COLD_MONTH = "2026-09"
MIB = 1024 * 1024

STAGES = [  # key, label, rows the stage works through
    ("ingest", "Ingest: 3 layouts → canonical (read, pandera, placement, pseudonymise, SQL, load)", "input_rows"),
    ("ingest_checks", "Ingest asset checks (rows conserved, canonical pandera contract)", "bookings"),
    ("golive", "Go-live reconciliation (`compute_golive`, the CSV)", "bookings"),
    ("measures", "Measures: trust_month_status + flag_rates SQL (`compute_measures`)", "bookings"),
    ("measure_files", "Measures CSV + per-Trust worklists", "bookings"),
    ("gate", "GE gate (`run_month_gate`, incl. Data Docs)", "bookings"),
    ("scorecard", "Scorecards (HTML per month)", "bookings"),
]
