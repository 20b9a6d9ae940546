"""Finds the month's extracts in the landing folder and decides which ones count.

A later extract for the same Trust, system, role and month is a resubmission: it replaces the
earlier one completely. "Later" is decided by the name (`_resub1`, `_resub2`, ... `_resub10`,
numerically; no suffix is the original), never by modification time alone: `cp -p` and unzip
keep old times. Two files of the same rank with the same content are copies, not rivals; with
different content they are a tie, reported on the submission chosen (the newer by modification
time, then the later name).

Every top-level entry named like an extract is a submission, whatever it is: a folder, a FIFO,
a dangling symbolic link or a link to a file outside the landing folder is one that cannot be
read (``Extract.problem``), never silently skipped, and never opened.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.core.config import Layout, Layouts


@dataclass(frozen=True)
class Extract:
    path: Path
    layout: Layout
    org_code: str
    month: str  # YYYY-MM named by the file
    suffix: str = ""  # what the name adds after the month, e.g. `_resub1`
    problem: str | None = None  # why the entry cannot be read as a file, found before opening it

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def slot(self) -> tuple[str, str, str, str]:
        """What a resubmission replaces: one Trust's file of one role in one month."""
        return (self.layout.system, self.layout.role, self.org_code, self.month)


@dataclass(frozen=True)
class Tie:
    chosen: Extract
    others: tuple[Extract, ...]
    rank: int

    def describe(self) -> str:
        names = ", ".join(e.file_name for e in self.others)
        which = "the original" if self.rank == 0 else f"resubmission {self.rank}"
        return (
            f"tie: {names} also claim to be {which} for this Trust and month, with different content; "
            f"{self.chosen.file_name} was taken as the newest by modification time"
        )


@dataclass
class Choice:
    current: list[Extract]
    superseded: list[Extract]
    ties: list[Tie] = field(default_factory=list)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_landed(extract: Extract) -> tuple[bytes | None, str, str | None]:
    """(the file's bytes, their SHA-256, None), or (None, a stand-in checksum, why it cannot be read).

    The bytes are read once: the checksum recorded is of exactly what is parsed. The stand-in
    for an entry that cannot be read changes when the entry does, so a re-check still notices.
    """
    if extract.problem is None:
        try:
            data = extract.path.read_bytes()
        except OSError as exc:
            problem = f"cannot open: {exc.strerror or exc}"
        else:
            return data, hashlib.sha256(data).hexdigest(), None
    else:
        problem = extract.problem
    try:
        info = os.lstat(extract.path)
        identity = f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        identity = "gone"
    stand_in = hashlib.sha256(f"not read|{extract.file_name}|{problem}|{identity}".encode()).hexdigest()
    return None, stand_in, problem


def landed_checksum(extract: Extract) -> str:
    """The checksum read_landed records for the extract (never raises)."""
    return read_landed(extract)[1]


def identify(
    path: Path, layouts: Layouts, landing: Path | None = None, months: set[str] | None = None
) -> Extract | None:
    """The extract ``path`` is by its name, or None; None too when ``months`` is given and its month is
    not among them (then the entry is not looked at on disk: a landing folder holds years of files)."""
    for layout in layouts.layouts:
        # fullmatch: `$` alone would also match before a final newline in the name.
        match = re.fullmatch(layout.file_pattern, path.name)
        if match:
            month = f"{match['yyyy']}-{match['mm']}"
            if months is not None and month not in months:
                return None
            suffix = match.groupdict().get("suffix") or ""
            problem = _entry_problem(path, landing or path.parent)
            return Extract(path=path, layout=layout, org_code=match["org"], month=month, suffix=suffix, problem=problem)
    return None


def _entry_problem(path: Path, landing: Path) -> str | None:
    """Why an entry named like an extract is not a file that may be read, or None."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            return "a symbolic link to nothing: its target does not exist"
        if landing.resolve() not in target.parents:
            return "a symbolic link to a file outside the landing folder: not followed"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot open: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return "a folder named like an extract, not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device): not opened"
    return None


def _entries(landing: Path) -> list[Path]:
    # Top level only, hidden names left out (a copy tool's temporary `.name.part`, the synthetic
    # marker). Subfolders not named like extracts (reference/, an archive) are not submissions.
    return sorted(p for p in landing.iterdir() if not p.name.startswith("."))


def discover(landing: Path, layouts: Layouts, months: set[str] | None = None) -> list[Extract]:
    """Every entry in the landing folder whose name matches a layout, optionally for some months."""
    found = []
    for path in _entries(landing):
        extract = identify(path, layouts, landing, months)
        if extract:
            found.append(extract)
    return found


def resubmission_rank(extract: Extract, layouts: Layouts) -> int:
    """0 for the original (or a suffix that says no order), N for a `_resubN` suffix."""
    if not layouts.resubmission_suffix:
        return 0
    match = re.fullmatch(layouts.resubmission_suffix, extract.suffix, flags=re.IGNORECASE)
    return int(match["n"]) if match else 0


def choose_current(extracts: list[Extract], layouts: Layouts) -> Choice:
    """Split into the extracts that count and the ones a later file for the same slot replaces."""
    by_slot: dict[tuple[str, str, str, str], list[Extract]] = {}
    for extract in extracts:
        by_slot.setdefault(extract.slot, []).append(extract)
    choice = Choice(current=[], superseded=[])
    for slot in sorted(by_slot):
        rank = {e.file_name: resubmission_rank(e, layouts) for e in by_slot[slot]}
        top = max(rank.values())
        rivals = sorted((e for e in by_slot[slot] if rank[e.file_name] == top), key=_newest_last)
        chosen = rivals[-1]
        choice.current.append(chosen)
        choice.superseded.extend(e for e in by_slot[slot] if e is not chosen)
        others = tuple(e for e in rivals[:-1] if landed_checksum(e) != landed_checksum(chosen))
        if others:
            choice.ties.append(Tie(chosen, others, top))
    return choice


def _newest_last(extract: Extract) -> tuple[int, str]:
    try:
        mtime = os.lstat(extract.path).st_mtime_ns
    except OSError:
        mtime = -1
    return mtime, extract.file_name


def months_in_landing(landing: Path, layouts: Layouts) -> list[str]:
    return sorted({e.month for e in discover(landing, layouts)})


def unrecognised(landing: Path, layouts: Layouts) -> list[str]:
    """Entries in the landing folder whose names match no layout (folders aside): reported, never
    silently skipped."""
    return [
        p.name
        for p in _entries(landing)
        if identify(p, layouts, landing) is None and not (p.is_dir() and not p.is_symlink())
    ]
