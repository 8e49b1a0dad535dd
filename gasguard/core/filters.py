"""django-filter pieces shared by every app's FilterSets."""

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
