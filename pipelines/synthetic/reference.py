"""Reference subsets in the real files' layouts: ONS Postcode Directory and IoD File 7.

Written from the same synthetic geography the extracts draw postcodes from, so the loaders that
will one day read the full national files can be tested on these.
"""

from __future__ import annotations

import bisect
import csv
import io
import random
from pathlib import Path

from .geography import DISTRICTS, ENGLAND_LSOAS, Geography, Lsoa, build_geography
from .story import DEFAULT_SEED
from .writers import write_text

ONSPD_NAME = "ONSPD_subset.csv"
IOD_NAMES = {2019: "File_7_IoD2019_subset.csv", 2025: "File_7_IoD2025_subset.csv"}

# A subset of the ONSPD columns, in the directory's own order.
ONSPD_COLUMNS = ("pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua", "usertype",
                 "ctry", "rgn", "lsoa11", "lat", "long", "lsoa21")

# IMD score against national rank percentile; knots shaped like the real distribution.
_SCORE_KNOTS = ((0.0, 92.0), (0.1, 34.0), (0.2, 27.0), (0.3, 22.0), (0.5, 15.0), (0.7, 10.0),
                (0.9, 6.0), (1.0, 0.5))

DECILE_PHRASE = "(where 1 is most deprived 10% of LSOAs)"
RANK_PHRASE = "(where 1 is most deprived)"


def iod_headers(edition: int) -> list[str]:
    """File 7 headers: LSOA and LAD vintages follow the edition (2011/2019 or 2021/2024)."""
    lsoa_year, lad_year = (2011, 2019) if edition == 2019 else (2021, 2024)
    return [
        f"LSOA code ({lsoa_year})", f"LSOA name ({lsoa_year})",
        f"Local Authority District code ({lad_year})",
        f"Local Authority District name ({lad_year})",
        "Index of Multiple Deprivation (IMD) Score",
        f"Index of Multiple Deprivation (IMD) Rank {RANK_PHRASE}",
        f"Index of Multiple Deprivation (IMD) Decile {DECILE_PHRASE}",
        "Income Score (rate)", f"Income Rank {RANK_PHRASE}", f"Income Decile {DECILE_PHRASE}",
        "Employment Score (rate)", f"Employment Rank {RANK_PHRASE}",
        f"Employment Decile {DECILE_PHRASE}",
    ]


def _pcd(pcds: str) -> str:
    outward, inward = pcds.split(" ")
    return outward.ljust(4) + inward  # 'CV1 2AB', 'CV123AB', 'B1  1AA': always 7 characters


def _pcd2(pcds: str) -> str:
    outward, inward = pcds.split(" ")
    return f"{outward.ljust(4)} {inward}"


def _score(percentile: float) -> float:
    xs = [x for x, _ in _SCORE_KNOTS]
    i = max(1, bisect.bisect_left(xs, percentile))
    (x0, y0), (x1, y1) = _SCORE_KNOTS[i - 1], _SCORE_KNOTS[i]
    return y0 + (y1 - y0) * (percentile - x0) / (x1 - x0)


def _decile(rank: int, total: int) -> int:
    return min(10, (rank - 1) * 10 // total + 1)


def _unique_rank(wanted: int, total: int, taken: set[int]) -> int:
    rank = min(total, max(1, wanted))
    while rank in taken:
        rank = rank + 1 if rank < total else 1
    taken.add(rank)
    return rank


def _iod_rows(lsoas: list[Lsoa], edition: int, rng: random.Random) -> list[list[str]]:
    total = ENGLAND_LSOAS[edition]
    taken: dict[str, set[int]] = {"imd": set(), "inc": set(), "emp": set()}
    rows = []
    for lsoa in lsoas:
        decile = lsoa.decile2019 if edition == 2019 else lsoa.decile2025
        low, high = (decile - 1) * total // 10 + 1, decile * total // 10
        rank = _unique_rank(rng.randint(low, high), total, taken["imd"])
        p = (rank - 1) / total
        domains = []
        for key, top in (("inc", 0.45), ("emp", 0.38)):
            dp = min(0.999, max(0.0, p + rng.gauss(0, 0.07)))
            d_rank = _unique_rank(int(dp * total) + 1, total, taken[key])
            d_p = (d_rank - 1) / total
            score = 0.005 + top * (1 - d_p) ** 2.5
            domains += [f"{score:.3f}", str(d_rank), str(_decile(d_rank, total))]
        code, name = (lsoa.lsoa11, lsoa.name11) if edition == 2019 else (lsoa.lsoa21, lsoa.name21)
        rows.append([code, name, lsoa.lad_code, lsoa.lad_name, f"{_score(p):.3f}", str(rank),
                     str(_decile(rank, total)), *domains])
    return rows


def _csv_text(header: list[str] | tuple[str, ...], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def onspd_rows(geo: Geography) -> list[list[str]]:
    rows = []
    for pc in geo.postcodes:
        if not pc.in_directory:
            continue
        lad, _name, county, region, _lat, _long = DISTRICTS[pc.district]
        rows.append([_pcd(pc.pcds), _pcd2(pc.pcds), pc.pcds, pc.dointr, pc.doterm, county, lad,
                     "0", "E92000001", region, pc.lsoa.lsoa11, f"{pc.lat:.6f}", f"{pc.long:.6f}",
                     pc.lsoa.lsoa21])
    return sorted(rows)


def write_reference_data(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ONSPD_subset.csv and the two IoD File 7 subsets into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    geo = build_geography(seed)
    paths = [write_text(out_dir / ONSPD_NAME, _csv_text(ONSPD_COLUMNS, onspd_rows(geo)), "utf-8")]
    for edition, name in IOD_NAMES.items():
        rng = random.Random(f"{seed}|iod|{edition}")
        unique: dict[str, Lsoa] = {}
        for lsoa in geo.lsoas:  # a 2011 LSOA split in 2021 appears once in the 2019 file
            unique.setdefault(lsoa.lsoa11 if edition == 2019 else lsoa.lsoa21, lsoa)
        lsoas = [unique[code] for code in sorted(unique)]
        text = _csv_text(iod_headers(edition), _iod_rows(lsoas, edition, rng))
        paths.append(write_text(out_dir / name, text, "utf-8"))
    return paths
