"""Configured cylinder facts (DOMAIN.md §3): lives, inspection period, permitted fill."""

from datetime import date
from decimal import Decimal

from django.conf import settings

from gasguard.core.errors import ValidationFailed


def add_years(day: date, years: int) -> date:
    """`day` plus whole years (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def design_life_years() -> int:
    return settings.GASGUARD_CYLINDER_DESIGN_LIFE_YEARS


def extension_years() -> int:
    return settings.GASGUARD_CYLINDER_EXTENSION_YEARS


def inspection_years() -> int:
    return settings.GASGUARD_CYLINDER_INSPECTION_YEARS


_FILL_CACHE: dict[str, dict[str, Decimal]] = {}


def max_fill_table() -> dict[str, Decimal]:
    """Spec → permitted fill (kg) from GASGUARD_CYLINDER_MAX_FILL_KG ("SPEC=kg,…")."""
    raw = settings.GASGUARD_CYLINDER_MAX_FILL_KG
    table = _FILL_CACHE.get(raw)
    if table is None:
        table = {}
        for part in raw.split(","):
            if not part.strip():
                continue
            spec, _, kg = part.rpartition("=")
            try:
                table[spec.strip()] = Decimal(kg.strip())
            except Exception as exc:  # noqa: BLE001 - any bad number is a configuration error
                raise ValidationFailed(f"GASGUARD_CYLINDER_MAX_FILL_KG 配置有误：{part}") from exc
        _FILL_CACHE[raw] = table
    return table


def max_fill_kg(spec: str) -> Decimal | None:
    return max_fill_table().get(spec)
