"""Contracts with one check more, as a developer would add one (tests/engines/test_spark_contract.py).

In a module of their own, imported by its dotted name: Spark's Python workers unpickle a check
by importing its class, as they import the real models from schemas/ (a class made inside a test
function would be pickled whole, with whatever pandera holds at the time).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.canonical import CanonicalBookings
from schemas.raw import BadgerNetBookings


class CanonicalWithANewCheck(CanonicalBookings):
    """The canonical contract and "not RKB", a frame-wide check RKB's bookings break."""

    @pa.dataframe_check(name="not RKB")
    def _not_rkb(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("org_code") != "RKB")


class BadgerNetWithANewCheck(BadgerNetBookings):
    """BadgerNet's raw contract and "one site", a frame-wide check: OrgSiteCode RJC01."""

    @pa.dataframe_check(name="one site")
    def _one_site(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("site_code") == "RJC01")
