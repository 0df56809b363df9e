"""Query results sized for an LLM's context: JSON-safe values, capped rows and cells."""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
import math
import uuid
from typing import Any

from pydantic import BaseModel, Field


class ResultColumn(BaseModel):
    name: str
    type: str


class QueryResult(BaseModel):
    columns: list[ResultColumn]
    rows: list[list[Any]]
    row_count: int = Field(description="Rows returned here (after the cap).")
    truncated: bool = Field(description="True when more rows existed than were returned.")
    truncated_reason: str | None = None
    truncated_cells: int = Field(default=0, description="Cells shortened to the per-cell character cap.")
    elapsed_ms: float
    statement_kind: str = "select"
    connection: str = "default"


def json_safe(value: Any, max_chars: int) -> tuple[Any, bool]:
    """Convert one database value into something JSON can carry; returns (value, was_shortened)."""
    v = _convert(value)
    if isinstance(v, str):
        if len(v) > max_chars:
            return v[:max_chars] + f"…[{len(v) - max_chars} more chars]", True
        return v, False
    if isinstance(v, (list, dict)):
        text = json.dumps(v, ensure_ascii=False, default=str)
        if len(text) > max_chars:
            return text[:max_chars] + f"…[{len(text) - max_chars} more chars]", True
    return v, False


def _convert(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        as_float = float(value)
        return as_float if decimal.Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _interval(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return "\\x" + raw.hex()
    if isinstance(value, (uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address,
                          ipaddress.IPv4Network, ipaddress.IPv6Network,
                          ipaddress.IPv4Interface, ipaddress.IPv6Interface)):  # fmt: skip
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_convert(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _convert(v) for k, v in value.items()}
    return str(value)


def _interval(td: dt.timedelta) -> str:
    """ISO 8601 duration, e.g. P1DT2H3M4.5S."""
    sign = "-" if td < dt.timedelta(0) else ""
    td = abs(td)
    days, rem = td.days, td.seconds
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    secs = seconds + td.microseconds / 1e6
    out = f"{sign}P{days}D" if days else f"{sign}P"
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if secs or not (days or hours or minutes):
        time += f"{secs:g}S"
    return out + ("T" + time if time else "")


def approx_size(row: list[Any]) -> int:
    return len(json.dumps(row, ensure_ascii=False, default=str))
