"""Choices for administrative regions and departments."""

from django.db import models


class RegionLevelChoices(models.IntegerChoices):
    """Levels of the administrative tree; the code length grows with the level."""

    PROVINCE = 1, "省级"
    CITY = 2, "地市级"
    COUNTY = 3, "县区级"
    STREET = 4, "街道/乡镇"
    COMMUNITY = 5, "社区/村"
    GRID = 6, "网格"


# Code length per level: 44 / 4403 / 440305 / 440305001 / 440305001001 / 440305001001001
REGION_CODE_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12, 6: 15}


class DepartmentKindChoices(models.TextChoices):
    """Department kinds named by the plan (安委〔2023〕3号) plus streets and the task force."""

    HOUSING = "housing", "住房城乡建设(燃气主管)"
    MARKET = "market", "市场监管"
    COMMERCE = "commerce", "商务"
    EMERGENCY = "emergency", "应急管理"
    TRANSPORT = "transport", "交通运输"
    POLICE = "police", "公安"
    FIRE = "fire", "消防救援"
    DEVELOPMENT = "development", "发展改革"
    FINANCE = "finance", "财政"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    JUSTICE = "justice", "司法"
    EDUCATION = "education", "教育"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    CULTURE_TOURISM = "culture_tourism", "文化和旅游"
    HEALTH = "health", "卫生健康"
    STREET = "street", "街道/乡镇"
    GOVERNMENT = "government", "人民政府"

    @classmethod
    def short(cls, value: str) -> str:
        """The short form used in DOMAIN.md (住建, 市场监管, 消防, …)."""
        return _SHORT.get(value, cls(value).label)


_SHORT = {
    "housing": "住建",
    "market": "市场监管",
    "commerce": "商务",
    "emergency": "应急",
    "transport": "交通",
    "police": "公安",
    "fire": "消防",
    "development": "发改",
    "finance": "财政",
    "natural_resources": "自然资源",
    "justice": "司法",
    "education": "教育",
    "civil_affairs": "民政",
    "culture_tourism": "文化旅游",
    "health": "卫生健康",
    "street": "街道",
    "government": "政府",
}
