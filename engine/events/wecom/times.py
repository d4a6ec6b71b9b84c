"""WeCom's times: epoch seconds (group details, callbacks) or milliseconds (the chat archive),
as local times in the playbook's time zone, without an offset (as the event table has them)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# A value this large is milliseconds: as seconds it would be past the year 5000, while as
# milliseconds it is after 1973.
MILLISECONDS_FROM = 100_000_000_000
# The years the roster accepts (roster.FIRST_DATE … LAST_DATE), in epoch milliseconds (UTC).
FIRST_MS = 946_684_800_000  # 2000-01-01
END_MS = 4_133_980_800_000  # 2101-01-01


def epoch_ms(value: object) -> int | None:
    """An epoch time in seconds or milliseconds (a number, or its digits as text) in milliseconds;
    None when it is not a whole number or not between 2000 and 2100."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 18:  # longer: no time, and slow to parse
            return None
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return None
    ms = value if value >= MILLISECONDS_FROM else value * 1000
    return ms if FIRST_MS <= ms < END_MS else None


def is_whole(value: object) -> bool:
    """Whether `value` is a whole number (or its digits), whatever its range."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return value.strip().isascii() and value.strip().isdigit()
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def local(ms: int, zone: ZoneInfo) -> dt.datetime:
    """Epoch milliseconds as a naive local time in `zone`."""
    utc = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
    return utc.astimezone(zone).replace(tzinfo=None)


def sql_local(ms: str, zone: str) -> str:
    """The DuckDB expression for the naive local time of the epoch milliseconds `ms` in `zone`."""
    return f"timezone('{zone.replace(chr(39), chr(39) * 2)}', timezone('UTC', epoch_ms({ms})))"
