"""Replaces patient identifiers with keyed hashes before anything reaches the warehouse.

Raw NHS numbers, hospital numbers, dates of birth and free text never leave this step: the
frame handed to DuckDB carries only pseudonymised keys and the NHS-number validity flag.
The keys are BLAKE2b in its keyed mode (a MAC, RFC 7693; about three times faster than
HMAC-SHA256 here, which matters at national volume) with a secret from MDQ_PSEUDONYM_KEY.
Synthetic data may use the sample-only key below; real data without a configured key is refused.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import polars as pl

from pipelines.core.config import ConfigError, Layout, load_rules
from pipelines.core.whitespace import whitespace_class_python

ENV_KEY = "MDQ_PSEUDONYM_KEY"
# Sample-only: it protects nothing, so it is used only for folders the generator marked synthetic.
SAMPLE_ONLY_KEY = "maternity-dq sample data only - not a secret"
SYNTHETIC_MARKER = ".mdq-synthetic"
# A key guessable by trying candidates would let anyone holding the outputs link keys back to NHS
# numbers (there are only ~10^9 of those to hash). 16 bytes is 128 bits when random (a generated
# key); the message suggests a longer one, as a typed passphrase carries less than a bit a byte.
MIN_KEY_LENGTH = 16


def pseudonym_key(landing: Path) -> bytes:
    configured = os.environ.get(ENV_KEY)
    if configured:
        if configured == SAMPLE_ONLY_KEY and not (landing / SYNTHETIC_MARKER).exists():
            raise ConfigError(f"{ENV_KEY} is the sample-only key; set a secret key for real data")
        if len(configured.encode()) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"{ENV_KEY} is {len(configured.encode())} bytes long; a pseudonymisation key needs at least "
                f"{MIN_KEY_LENGTH} (e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return configured.encode()
    if (landing / SYNTHETIC_MARKER).exists():
        return SAMPLE_ONLY_KEY.encode()
    raise ConfigError(
        f"{landing}: not marked as synthetic sample data, so the sample-only pseudonymisation key "
        f"cannot be used: set {ENV_KEY} to the LMNS's secret key"
    )


def _hash(key: bytes, values: list[str]) -> list[str]:
    mac_key = key if len(key) <= 64 else hashlib.sha256(key).digest()  # BLAKE2b keys are at most 64 bytes
    # The keyed state after the key block, copied per value: the same MAC as blake2b(v, key=...)
    # (RFC 7693 processes the padded key as the first block), ~40% faster for short messages.
    keyed = hashlib.blake2b(key=mac_key, digest_size=16).copy
    out = []
    for value in values:
        mac = keyed()
        mac.update(value.encode())
        out.append(mac.hexdigest())
    return out


def _keyed(frame: pl.DataFrame, message: pl.Expr, key: bytes, known: dict[str, str] | None = None) -> pl.Series:
    """Keyed hash of each row's message (null stays null).

    Each distinct message is hashed once: a pregnancy ID recurs on every one of its Cerner
    events, and hashing is the only per-value Python work left in ingest. ``known`` (message ->
    key) carries the month's keys from one layout to the next: a Cerner events file repeats its
    pregnancy file's IDs.
    """
    messages = frame.select(message).to_series()
    distinct = messages.drop_nulls().unique().to_list()
    if known is None:
        digests = _hash(key, distinct)
    else:
        new = [m for m in distinct if m not in known]
        known.update(zip(new, _hash(key, new), strict=True))
        digests = [known[m] for m in distinct]
    return messages.replace_strict(
        pl.Series(distinct, dtype=pl.String), pl.Series(digests, dtype=pl.String), default=None
    )


def _nhs_digits(column: str) -> pl.Expr:
    """The number without the white space (the rules file's class) and dashes allowed between groups."""
    return pl.col(column).str.replace_all(whitespace_class_python(load_rules()) + "|-", "")


def nhs_number_valid(column: str) -> pl.Expr:
    """Ten ASCII digits passing the Modulus 11 check (spaces and dashes allowed), not a placeholder."""
    return nhs_number_class(column) == "valid"


def nhs_number_class(column: str) -> pl.Expr:
    r"""valid | default | invalid | missing (measures.md). Only ASCII [0-9] are digits: polars' `\d`
    also matches e.g. Arabic-Indic digits, which the cast below would turn into nulls, not numbers."""
    digits = _nhs_digits(column)
    weighted = pl.sum_horizontal([digits.str.slice(i, 1).cast(pl.Int64, strict=False) * (10 - i) for i in range(9)])
    check = (11 - weighted % 11) % 11  # 11 becomes 0; 10 stays 10 and can never match a digit
    last = digits.str.slice(9, 1).cast(pl.Int64, strict=False)
    passes = (digits.str.contains(r"^[0-9]{10}$") & (check == last)).fill_null(False)
    placeholders = [str(n) for n in load_rules().get("nhs_number", {}).get("default_numbers", [])]
    return (
        pl.when(digits.is_null() | (digits == ""))
        .then(pl.lit("missing"))
        .when(digits.is_in(placeholders))
        .then(pl.lit("default"))
        .when(passes)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
    )


def pseudonymise(
    frame: pl.DataFrame, layout: Layout, org_code: pl.Expr, key: bytes, known: dict[str, str] | None = None
) -> pl.DataFrame:
    """Replaces the layout's identifiers with keys; org_code gives each row's Trust (rows may span files).
    ``known``: keys already made this month, by message (see ``_keyed``)."""
    # Pregnancy IDs and local IDs are unique only within one system at one Trust.
    scope = pl.concat_str(pl.lit(f"{layout.system}|"), org_code, pl.lit("|"))
    out = frame.with_columns(
        _keyed(frame, pl.concat_str(pl.lit("pregnancy|"), scope, pl.col("pregnancy_id")), key, known).alias(
            "pregnancy_key"
        )
    )
    if "nhs_number" in frame.columns:
        out = out.with_columns(nhs_number_class("nhs_number").alias("nhs_number_class"))
        out = out.with_columns((pl.col("nhs_number_class") == "valid").alias("nhs_number_valid"))
        local = pl.col("local_id") if "local_id" in frame.columns else pl.lit(None, dtype=pl.String)
        # A valid NHS number links a woman across Trusts and systems; otherwise (a placeholder such as
        # 0000000000 included: it would merge every woman given it) the local ID within one.
        person = (
            pl.when(pl.col("nhs_number_valid"))
            .then(pl.concat_str(pl.lit("nhs|"), _nhs_digits("nhs_number")))
            .otherwise(pl.concat_str(pl.lit("local|"), scope, local))
        )
        out = out.with_columns(_keyed(out, person, key, known).alias("person_key"))
    identifiers = {c.name for c in layout.columns if c.identifier and c.name in out.columns} | {"pregnancy_id"}
    return out.drop(sorted(identifiers))
