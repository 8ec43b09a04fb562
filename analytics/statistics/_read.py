"""What several analyses read from the warehouse the same way: dates and the as-of date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..warehouse import Warehouse


def as_date(value: Any) -> dt.date | None:
    """A date from what the drivers give (date, datetime, Timestamp), None for NULL."""
    if value is None or pd.isna(value):
        return None
    day: dt.date = pd.Timestamp(value).date()
    return day


def built_as_of_date(warehouse: Warehouse) -> dt.date | None:
    """The as-of date of the build (``intermediate.int_as_of_date``); None when it has none."""
    built = warehouse.frame("select as_of_date from intermediate.int_as_of_date")
    return as_date(built["as_of_date"].iloc[0]) if len(built) else None
