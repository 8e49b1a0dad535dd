"""Vocabularies of the campaign: phases, monthly-report workflow, supervision records."""

from datetime import date

from django.db import models


class CampaignPhaseKindChoices(models.TextChoices):
    """The plan's three phases (四(一)–(三))."""

    CONCENTRATED = "concentrated", "集中攻坚"
    CONSOLIDATION = "consolidation", "巩固提升"
    LONG_TERM = "long_term", "长效机制"


# The plan's default schedule (四): 集中攻坚 2023-08–11; 巩固提升 2023-12–2024-06 with 回头看;
# 长效机制 from 2024-07 (open-ended).
DEFAULT_PHASES = (
    (CampaignPhaseKindChoices.CONCENTRATED, date(2023, 8, 1), date(2023, 11, 30), False),
    (CampaignPhaseKindChoices.CONSOLIDATION, date(2023, 12, 1), date(2024, 6, 30), True),
    (CampaignPhaseKindChoices.LONG_TERM, date(2024, 7, 1), None, False),
)
CAMPAIGN_DEFAULT_START = date(2023, 8, 1)
# "专项整治期间": 提级调查 applies to accidents during the campaign (五(三)); the default
# period is the first two phases, ending when the long-term mechanism starts.
CAMPAIGN_DEFAULT_END = date(2024, 6, 30)


class MonthlyReportStatusChoices(models.TextChoices):
    """草稿 → 已报送; a submitted report is frozen (its snapshot no longer changes)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"


REPORT_TRANSITIONS = {"submit": ((MonthlyReportStatusChoices.DRAFT,), MonthlyReportStatusChoices.SUBMITTED)}


class InterviewOutcomeChoices(models.TextChoices):
    RECTIFY = "rectify", "责令限期整改"
    ACCOUNTABILITY = "accountability", "移交追责问责"
    WARNED = "warned", "警示提醒"
    OTHER = "other", "其他"


class NoticeKindChoices(models.TextChoices):
    BEHIND_SCHEDULE = "behind_schedule", "进度滞后通报"
    TYPICAL_CASE = "typical_case", "典型案例通报"
    OTHER = "other", "其他通报"
