"""Field types shared by the taxonomy's request models (validated before anything is written)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from plugins_builtin.taxonomy.names import NAME_MAX


def partial_date(value: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (Stash's partial dates), and a real date."""
    if value is None:
        return None
    parts = value.split("-")
    try:
        year, month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
        date(year, month, day)
    except (ValueError, IndexError):
        raise ValueError("not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


def _http_url(value: str) -> str:
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("URLs must start with http:// or https://")
    return value


def _slug(value: Any) -> Any:
    return value.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(value, str) else value


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Alias = Annotated[str, Field(max_length=NAME_MAX)]
Aliases = Annotated[list[Alias], Field(max_length=200)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20000)]
PartialDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"), AfterValidator(partial_date)]
HttpUrl = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]
Rating = Annotated[int, Field(ge=0, le=100)]
Year = Annotated[int, Field(ge=1900, le=2200)]
Slug = BeforeValidator(_slug)
