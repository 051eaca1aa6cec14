"""Rows for a person's data export (the privacy app's archive) as plain JSON values.

Each app's `selectors.export_rows(user)` reads its tables with `.values()` and passes the rows
through `plain_rows`, so the archive is written without knowing any app's types: times and
dates become ISO 8601 text (times in UTC, as stored), decimals and ids text; money stays an
integer of minor units beside its currency code.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

# What JSON holds (lists and objects of the same, to any depth).
Plain = str | int | float | bool | None | list[Any] | dict[str, Any]


def plain(value: Any) -> Plain:
    """One value as JSON can hold it."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def plain_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Plain]]:
    """Rows from `.values()` (or any mappings) with every value made plain."""
    return [{key: plain(value) for key, value in row.items()} for row in rows]
