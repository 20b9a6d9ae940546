"""`mdq`: run the monthly pipeline, gate on it in CI, or generate synthetic extracts.

Every user error is one line on stderr and exit status 2; no traceback reaches the user. A
warehouse held by another run past MDQ_LOCK_TIMEOUT is exit status 75 (try again later).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipelines.core.config import ConfigError
from pipelines.core.errors import USAGE_ERROR, WAREHOUSE_BUSY, UsageError
from pipelines.core.months import is_month
from pipelines.core.paths import DEFAULT_OUT, DEFAULT_WAREHOUSE, SAMPLE_DATA
from pipelines.core.warehouse import WarehouseBusy
from pipelines.gate.verdicts import GateInconsistent


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


def _month(text: str) -> str:
    if not is_month(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a month in the form YYYY-MM")
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def _add_paths(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--landing", type=Path, default=SAMPLE_DATA, help="folder the extracts land in (default: sample_data/)"
    )
    p.add_argument(
        "--reference", type=Path, default=None, help="postcode directory and IoD files (default: <landing>/reference)"
    )
    p.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        help="DuckDB warehouse file (default: var/warehouse/mdq.duckdb)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder for scorecards (default: var/out)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mdq", description="Maternity data-quality pipeline (MSDS, MIS safety action 2).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="ingest a month (or a range), compute measures, write the scorecard")
    when = run.add_mutually_exclusive_group()
    when.add_argument(
        "--month", type=_month, help="reporting month YYYY-MM (default: the latest in the landing folder)"
    )
    when.add_argument("--from", dest="first", type=_month, help="first month of a backfill")
    run.add_argument("--to", dest="last", type=_month, help="last month of a backfill")
    _add_paths(run)
    gate = sub.add_parser("gate", help="CI gate: exit 1 if any Trust breaches a gated threshold")
    gate.add_argument("--month", type=_month, required=True)
    gate.add_argument("--junit", type=Path, help="write JUnit XML, one test case per Trust x gated measure")
    gate.add_argument("--rerun", action="store_true", help="run the month even if the warehouse already holds it")
    gate.add_argument("--warn-only", action="store_true", help="report breaches but exit 0 (staging a new threshold)")
    _add_paths(gate)
    gen = sub.add_parser("generate", help="write synthetic extracts in the three layouts")
    gen.add_argument("--from", dest="first", type=_month, required=True)
    gen.add_argument("--to", dest="last", type=_month, required=True)
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--scale", type=float, default=1.0, help="multiply every Trust's volume")
    gen.add_argument(
        "--national",
        nargs="?",
        type=int,
        const=130,
        default=None,
        metavar="TRUSTS",
        help="a national-scale set of Trusts (default 130: ~650,000 bookings a year) across the three layouts",
    )
    ui = sub.add_parser("ui", help="open the Dagster UI (webserver and daemon) on this project's instance")
    ui.add_argument("--host", default="127.0.0.1", help="address the webserver listens on (default: 127.0.0.1)")
    ui.add_argument("--port", type=_port, default=3000, help="port of the webserver (default: 3000)")
    return parser


def _say_waits() -> None:
    """The warehouse's notices (who holds it while we wait) go to stderr as `mdq:` lines."""
    log = logging.getLogger("mdq.warehouse")
    # One handler, on this call's stderr: `main` may run more than once in a process (tests).
    for old in [h for h in log.handlers if getattr(h, "mdq_cli", False)]:
        log.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mdq: %(message)s"))
    handler.mdq_cli = True
    log.addHandler(handler)
    log.propagate = False


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        _say_waits()
        return _dispatch(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return USAGE_ERROR
    except WarehouseBusy as exc:
        print(f"mdq: {exc}", file=sys.stderr)
        return WAREHOUSE_BUSY
    except (ConfigError, GateInconsistent, OSError) as exc:
        for line in str(exc).splitlines():  # a configuration error lists one problem per line
            print(f"mdq: {line}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("mdq: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    from pipelines.cli import commands

    if args.command == "run":
        return commands.run(args)
    if args.command == "gate":
        return commands.gate(args)
    if args.command == "generate":
        return commands.generate(args)
    return commands.ui(args)
