"""One scale of the benchmark: its phases in order, reusing generated data when it can."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.front_door import cli_year
from bench.processes import child_env, run_phase


def _scale_name(scale: float) -> str:
    return f"scale-{scale:g}"


def _manifest(a: dict[str, Any]) -> dict[str, Any]:
    keys = ("trusts", "months", "scale", "seed")
    return {k: a[k] for k in keys}


def run_scale(scale: float, opts: argparse.Namespace, months: list[str], full: bool, log) -> dict[str, Any]:
    base = Path(opts.work_dir) / _scale_name(scale)
    data = base / "data"
    gen_args = {
        "landing": str(data / "landing"),
        "layouts": str(data / "layouts.yaml"),
        "trusts": opts.trusts,
        "months": months,
        "scale": scale,
        "seed": opts.seed,
        "workers": opts.workers,
    }
    manifest = data / "manifest.json"
    result: dict[str, Any] = {"scale": scale}
    env = child_env(Path(opts.work_dir), not opts.no_bytecode_cache)
    if opts.reuse_data and manifest.exists() and json.loads(manifest.read_text()).get("args") == _manifest(gen_args):
        result["generate"] = json.loads(manifest.read_text())["result"]
        result["generate"]["reused"] = True
        log(f"[{scale:g}] reusing generated data in {data}")
    else:
        log(f"[{scale:g}] generating {opts.trusts} Trusts x {len(months)} months ...")
        result["generate"] = run_phase("generate", gen_args, base / "phases", env)
        manifest.write_text(json.dumps({"args": _manifest(gen_args), "result": result["generate"]}, indent=2))
    log(f"[{scale:g}] generated in {result['generate']['seconds']:.1f} s; running the pipeline ...")
    pipe_args = {
        "layouts": gen_args["layouts"],
        "landing": gen_args["landing"],
        "reference": str(data / "landing" / "reference"),
        "work": str(base / "run"),
        "months": months,
    }
    result["pipeline"] = run_phase("pipeline", pipe_args, base / "phases", env)
    p = result["pipeline"]
    log(
        f"[{scale:g}] pipeline stages {sum(p['stages_s'].values()):.1f} s, peak RSS {p['maxrss_mib']:.0f} MiB; "
        "references ..."
    )
    ref_args = {"warehouse": p["warehouse"], "repeat": opts.repeat, "ge_reference": full and not opts.skip_ge_reference}
    result["references"] = run_phase("references", ref_args, base / "phases", env)
    log(f"[{scale:g}] the hand-written design: files -> the two gated rates ...")
    hand_args = {k: pipe_args[k] for k in ("layouts", "landing", "reference")} | {"warehouse": p["warehouse"]}
    result["handwritten"] = run_phase("handwritten", hand_args, base / "phases", env)
    if full and opts.profile:
        log(f"[{scale:g}] profiling one month's ingest ...")
        prof_args = {
            **pipe_args,
            "work": str(base / "profile"),
            "month": months[min(2, len(months) - 1)],
            "warmup_month": months[0],
        }
        result["profile"] = run_phase("profile", prof_args, base / "phases", env)
    if full and opts.cli:
        log(f"[{scale:g}] the same year through `mdq run --from --to` (Dagster) ...")
        result["cli"] = cli_year(base, months, opts)
    return result
