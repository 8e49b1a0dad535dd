"""Links from a number to the list behind it (每个数字可点击), using the lists' own filter names.

Ledger: /hazards/?region=…&status=…&category=…&severity=…&source=…&department=<id>&overdue=1&
supervised=1&found_from=…&found_to=…&closed_from=…&closed_to=… (gasguard/hazards/filtersets.py).
"""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from gasguard.hazards.choices import OPEN_STATUSES, HazardStatusChoices


def _base(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def hazard_list_url(*, region: str = "", **filters) -> str:
    """The ledger list filtered; `status="open"` expands to every open status."""
    params: list[tuple[str, str]] = []
    if region:
        params.append(("region", region))
    status = filters.pop("status", None)
    if status == "open":
        params += [("status", s.value if hasattr(s, "value") else s) for s in OPEN_STATUSES]
    elif status:
        params.append(("status", status))
    for key, value in filters.items():
        if value is None or value == "":
            continue
        params.append((key, value.isoformat() if hasattr(value, "isoformat") else str(value)))
    query = urlencode(params)
    return _base("hazards:hazard_list", "/hazards/") + (f"?{query}" if query else "")


def measure_url(measure: str, *, region: str, period_start=None, period_end=None, **filters) -> str:
    """The list behind one measure of the statistics (found, closed, open, overdue, …)."""
    found = {"found_from": period_start, "found_to": period_end}
    if measure.startswith("major_"):
        filters.setdefault("severity", "major")
    if measure in ("found", "major_found"):
        return hazard_list_url(region=region, **found, **filters)
    if measure in ("found_closed", "major_found_closed"):
        return hazard_list_url(region=region, status=HazardStatusChoices.CLOSED.value, **found, **filters)
    if measure == "closed":
        return hazard_list_url(
            region=region,
            status=HazardStatusChoices.CLOSED.value,
            closed_from=period_start,
            closed_to=period_end,
            **filters,
        )
    if measure in ("open", "major_open"):
        return hazard_list_url(region=region, status="open", **filters)
    if measure == "overdue":
        return hazard_list_url(region=region, overdue="1", **filters)
    if measure == "supervised_open":
        return hazard_list_url(region=region, status="open", supervised="1", **filters)
    return hazard_list_url(region=region, **filters)


def simple_url(name: str, fallback: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return _base(name, fallback) + (f"?{query}" if query else "")
