"""django-filter pieces shared by every app's FilterSets, and parsers for hand-read query values."""

import re
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError

TRUE_VALUES = (True, 1, "1", "true", "True", "yes", "on")
FALSE_VALUES = (False, 0, "0", "false", "False", "no", "off")


class StrictBooleanField(forms.NullBooleanField):
    """Empty = no filter; true/false/1/0 as usual; anything else is a form error (UI) / 400 (API),
    instead of NullBooleanField's silent "no filter"."""

    default_error_messages = {"invalid": "请选择“是”或“否”（true/false），“%(value)s”无效。"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def validate(self, value):
        pass


class StrictBooleanWidget(forms.Select):
    """全部/是/否; passes the raw value through so StrictBooleanField can refuse nonsense."""

    def __init__(self, attrs=None, choices=(("", "全部"), ("true", "是"), ("false", "否"))):
        super().__init__(attrs, choices=choices)

    def format_value(self, value):
        if value in TRUE_VALUES:
            return ["true"]
        if value in FALSE_VALUES:
            return ["false"]
        return super().format_value(value)


class StrictBooleanFilter(django_filters.BooleanFilter):
    """BooleanFilter that refuses values other than true/false/1/0 (see StrictBooleanField)."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget())
        super().__init__(*args, **kwargs)


MAX_ID = 2**63 - 1  # BigAutoField / SQLite INTEGER upper bound


class IdField(forms.IntegerField):
    """A primary-key filter value: a positive integer that fits the database's id column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """Filter by an object's id; "abc" or an id beyond the column range is a field error, not a 500."""

    field_class = IdField


def parse_id(value, field: str):
    """A query-string id for hand-written filters: None if empty, else a valid id or a 400."""
    from gasguard.core.errors import ValidationFailed

    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise ValidationFailed(f"{field} 须为有效的数字 ID", field=field)
    return number


def _choice_pairs(choices) -> list[tuple[str, str]]:
    """(value, label) pairs from a TextChoices class, a list of pairs or a list of values."""
    choices = getattr(choices, "choices", choices)
    return [(str(c[0]), str(c[1])) if isinstance(c, list | tuple) else (str(c), str(c)) for c in choices]


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 50 else text[:50] + "…"


def parse_choice(value, field: str, choices, *, label: str | None = None) -> str | None:
    """A query-string choice for hand-written filters: None if empty, else one of `choices` (a
    TextChoices class or pairs), or a 400 naming the field and listing the allowed values."""
    from gasguard.core.errors import ValidationFailed

    if value is None or str(value).strip() == "":
        return None
    value = str(value).strip()
    pairs = _choice_pairs(choices)
    if value in {v for v, _ in pairs}:
        return value
    allowed = "、".join(v if v == text else f"{v}（{text}）" for v, text in pairs)
    raise ValidationFailed(f"{label or field}的值“{_shown(value)}”无效，可选值：{allowed}", field=field)


def parse_bool(value, field: str, *, label: str | None = None) -> bool | None:
    """A query-string flag: None if empty, True/False for true/false/1/0 (as StrictBooleanField),
    else a 400 naming the field ("maybe" is not silently "false")."""
    from gasguard.core.errors import ValidationFailed

    if value is None or str(value).strip() == "":
        return None
    value = str(value).strip()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ValidationFailed(f"{label or field}应为 true/false（或 1/0），“{_shown(value)}”无效", field=field)


_MONTH_RE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def parse_month(value, field: str = "month", *, label: str | None = None) -> date | None:
    """A query-string month (YYYY-MM, or a date YYYY-MM-DD within it): None if empty, else the
    month's first day, or a 400 naming the field ("2025-13" or "2025-03xyz" are not months)."""
    from gasguard.core.errors import ValidationFailed

    if value is None or str(value).strip() == "":
        return None
    value = str(value).strip()
    try:
        if not _MONTH_RE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value if len(value) == 10 else f"{value}-01")
    except ValueError:
        raise ValidationFailed(
            f"{label or field}应为 YYYY-MM 格式的月份（如 2025-03），“{_shown(value)}”无效", field=field
        ) from None
    return day.replace(day=1)


class PageFilters:
    """Hand-read filter values of an HTML list page. A bad value becomes a field error to show
    next to the filter (and the page lists no rows) instead of a 400 or a silently ignored filter."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    @property
    def valid(self) -> bool:
        return not self.errors

    def _parse(self, parser, *args, **kwargs):
        from gasguard.core.errors import ValidationFailed

        try:
            return parser(*args, **kwargs)
        except ValidationFailed as exc:
            self.errors.update(exc.errors)
            return None

    def choice(self, value, field: str, choices, *, label: str | None = None) -> str | None:
        return self._parse(parse_choice, value, field, choices, label=label)

    def bool(self, value, field: str, *, label: str | None = None) -> bool | None:
        return self._parse(parse_bool, value, field, label=label)

    def month(self, value, field: str = "month", *, label: str | None = None) -> date | None:
        return self._parse(parse_month, value, field, label=label)


# --- values from a JSON body (API views that take a plain object) -----------------------------

# Dates before this are typing errors (year 0001, a two-digit year); they also overflow the
# conversion to UTC of a date's midnight, so readers refuse them with a 400.
EARLIEST_DATE = date(1900, 1, 1)
_BAD_TEXT_RE = re.compile("[\x00\ud800-\udfff]")


def text_error(text: str) -> str | None:
    """Why a text cannot be stored, or None: PostgreSQL refuses NUL in text and jsonb, and a lone
    surrogate (JSON "\\ud800") cannot be encoded as UTF-8 by any database driver."""
    if _BAD_TEXT_RE.search(text):
        return "含有不允许的字符（NUL 或无效的 Unicode 代理字符）"
    return None


def parse_text(value, field: str, *, max_length: int = 200, label: str | None = None) -> str:
    """A query-string text (a search term): "" if empty, else the stripped text, or a 400 naming
    the field when it is too long or holds a character no database stores."""
    from gasguard.core.errors import ValidationFailed

    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{label or field}不能超过 {max_length} 个字符", field=field)
    if message := text_error(text):
        raise ValidationFailed(f"{label or field}{message}", field=field)
    return text


def body_object(data) -> dict:
    """The request body of a view that takes a plain JSON object: a list, a string, a number or
    null is a 400 instead of an AttributeError further down."""
    from gasguard.core.errors import ValidationFailed

    if hasattr(data, "get") and hasattr(data, "keys"):
        return data
    raise ValidationFailed("请求体须为 JSON 对象", field="non_field_errors")


def body_text(data, field: str, *, default: str = "", max_length: int = 2000) -> str:
    """A text value from a JSON object: a string (a number is taken as its text); a list, an
    object or true/false is a 400 naming the field instead of a crash further down, and so is a
    NUL byte or a lone surrogate (a 500 from the database otherwise)."""
    from gasguard.core.errors import ValidationFailed

    value = data.get(field)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed(f"{field} 须为文本", field=field)
    text = str(value)
    if len(text) > max_length:
        raise ValidationFailed(f"{field} 不能超过 {max_length} 个字符", field=field)
    if message := text_error(text):
        raise ValidationFailed(f"{field} {message}", field=field)
    return text


def body_date(data, field: str, *, required: bool = True) -> date | None:
    """A YYYY-MM-DD date (not before EARLIEST_DATE) from a JSON object, or a 400 naming the field."""
    from gasguard.core.errors import ValidationFailed

    value = data.get(field)
    if value in (None, "") and not required:
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if day < EARLIEST_DATE:
                raise ValidationFailed(f"{field} 不能早于 {EARLIEST_DATE}", field=field)
            return day
    raise ValidationFailed(f"{field} 须为日期（如 2024-05-01）", field=field)


def body_int(data, field: str, *, default: int = 0, min_value: int = 0, max_value: int = 2**31 - 1) -> int:
    """A whole number from a JSON object or form (a number or numeric text) within
    [min_value, max_value], or a 400 naming the field ("abc", 1.5, a list, 2**70)."""
    from gasguard.core.errors import ValidationFailed

    value = data.get(field)
    if value in (None, ""):
        return default
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,20}\s*", value):
        number = int(value)
    if number is None:
        raise ValidationFailed(f"{field} 须为整数", field=field)
    if not min_value <= number <= max_value:
        raise ValidationFailed(f"{field} 须在 {min_value} 到 {max_value} 之间", field=field)
    return number


def body_decimal(data, field: str) -> str | None:
    """A decimal number from a JSON object (number or numeric text), as text for the service to
    parse with its own limits; a list, an object or true/false is a 400 naming the field."""
    from gasguard.core.errors import ValidationFailed

    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed(f"{field} 须为数字", field=field)
    return str(value)
