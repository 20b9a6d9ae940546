"""Synthetic maternity booking extracts (K2, BadgerNet, Cerner) and reference subsets.

Stdlib only and seeded: the same arguments always give the same bytes. The shipped sample in
`sample_data/` is `regenerate_sample(repo_root)`; its story (which Trust-months fail which gate)
is in `story.py`.
"""

from .generate import generate_extracts, generate_month, regenerate_sample
from .mess import MessRates
from .national import (
    NATIONAL_TRUSTS,
    national_layouts_text,
    national_orgs,
    write_national_layouts,
)
from .reference import write_reference_data
from .story import DEFAULT_SEED
from .trusts import DEFAULT_ORGS

__all__ = [
    "DEFAULT_ORGS",
    "DEFAULT_SEED",
    "MessRates",
    "NATIONAL_TRUSTS",
    "generate_extracts",
    "generate_month",
    "national_layouts_text",
    "national_orgs",
    "regenerate_sample",
    "write_national_layouts",
    "write_reference_data",
]
