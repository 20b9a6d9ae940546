"""Finds a Trust's synthetic profile: the LMNS's own (trusts.py) or a national-scale one (national.py).

Kept apart from both so that national.py can build on trusts.py without a cycle.
"""

from __future__ import annotations

from .national import national_profiles
from .trusts import TRUSTS, TrustProfile


def profile(code: str) -> TrustProfile:
    """The LMNS Trust's profile, or a national-scale one (`national.national_orgs`)."""
    found = TRUSTS.get(code)
    if found is not None:
        return found
    found = national_profiles().get(code)
    if found is not None:
        return found
    known = ", ".join(sorted(TRUSTS))
    message = f"no synthetic profile for organisation {code!r} (known: {known}, or a code from national_orgs())"
    raise ValueError(message)
