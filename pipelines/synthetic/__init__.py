"""Synthetic maternity booking extracts (K2, BadgerNet, Cerner) and reference subsets.

Stdlib only and seeded: the same arguments always give the same bytes. The shipped sample in
`sample_data/` is `regenerate_sample(repo_root)`; its story (which Trust-months fail which gate)
is in `story.py`.
"""

from .generate import generate_extracts, generate_month, regenerate_sample
from .mess import MessRates
from .reference import write_reference_data
from .story import DEFAULT_SEED
from .trusts import DEFAULT_ORGS

__all__ = [
    "DEFAULT_ORGS",
    "DEFAULT_SEED",
    "MessRates",
    "generate_extracts",
    "generate_month",
    "regenerate_sample",
    "write_reference_data",
]
