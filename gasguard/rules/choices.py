"""Vocabularies of the rule catalogue, shared with the ledger."""

from django.db import models


class SeverityChoices(models.TextChoices):
    GENERAL = "general", "一般隐患"
    MAJOR = "major", "重大隐患"


class CategoryChoices(models.TextChoices):
    """The plan's hazard categories (二(一)–(五), 三(一))."""

    GAS = "gas", "问题气"
    CYLINDER = "cylinder", "问题瓶"
    VALVE = "valve", "问题阀"
    HOSE = "hose", "问题软管"
    PIPELINE = "pipeline", "问题管网"
    ENVIRONMENT = "environment", "问题环境"
    ENTERPRISE = "enterprise", "企业主体责任"
    ENFORCEMENT = "enforcement", "监管执法"
    OTHER = "other", "其他"


class TargetTypeChoices(models.TextChoices):
    """What a rule (and a hazard) can be about; maps to registry roles / premises kinds."""

    RESTAURANT = "restaurant", "餐饮企业"
    CROWDED_PLACE = "crowded_place", "人员密集场所"
    GAS_OPERATOR = "gas_operator", "燃气经营企业"
    FILLING_STATION = "filling_station", "气瓶充装单位"
    LPG_PRODUCER = "lpg_producer", "液化石油气生产企业"
    INDUSTRIAL_FUEL_PRODUCER = "industrial_fuel_producer", "工业燃料生产企业"
    APPLIANCE_MAKER = "appliance_maker", "气瓶/燃气具制造企业"
    APPLIANCE_SELLER = "appliance_seller", "燃气具销售企业"
    TRANSPORT_COMPANY = "transport_company", "危险货物道路运输企业"
    INSPECTION_BODY = "inspection_body", "特种设备检验检测机构"
    PIPELINE = "pipeline", "燃气管网设施"
    RESIDENTIAL_USER = "residential_user", "居民用户"
    REGULATOR = "regulator", "监管部门"


class SourceStatusChoices(models.TextChoices):
    """How well a rule's facts are sourced (DOMAIN.md conventions)."""

    PLAN = "Plan", "方案原文"
    CONFIRMED = "C", "已核实（标准/法规原文）"
    SECONDARY = "C-sec", "二手来源核实（默认值，可配置）"
    BEST_KNOWN = "M", "未核实的通行值（默认值，可配置）"
    UNCONFIRMED = "Unconfirmed", "未找到可靠值"


class AnswerTypeChoices(models.TextChoices):
    BOOL = "bool", "是/否"
    NUMBER = "number", "测量数值"
    CHOICE = "choice", "选择"
    PHOTO = "photo", "照片"
    TEXT = "text", "文字"


class ActionChoices(models.TextChoices):
    """Prescribed actions (处置措施) named by the plan."""

    ORDER_RECTIFY = "order_rectify", "责令限期改正"
    ORDER_IMMEDIATE = "order_immediate", "立行立改"
    STOP_USE = "stop_use", "责令停止使用"
    FINE = "fine", "罚款"
    SUSPEND = "suspend", "停产停业整顿"
    REVOKE_LICENCE = "revoke_licence", "吊销许可"
    SHUT_DOWN = "shut_down", "责令关停"
    REFER_MARKET = "refer_market", "移送市场监管溯源"
    REFER_POLICE = "refer_police", "移送公安"
    SEIZE = "seize", "查封扣押"
    BLACKLIST = "blacklist", "纳入黑名单"
    SCRAP = "scrap", "移交检验机构报废"
    SUPERVISE = "supervise", "督促指导"
    PUBLICISE = "publicise", "曝光典型案例"
    CRIMINAL = "criminal", "追究刑事责任"
    STOP_ILLEGAL = "stop_illegal", "责令立即停止违法行为"
    CONTROL_MEASURES = "control_measures", "落实管控措施"
    RECALL = "recall", "召回"
    CONFISCATE = "confiscate", "没收违法产品"
    DELIST = "delist", "下架处理"
    JOINT_PUNISHMENT = "joint_punishment", "联合惩戒"
    REASSESS_LICENCE = "reassess_licence", "评估许可条件"
    WRITTEN_NOTICE = "written_notice", "书面告知用户整改"
