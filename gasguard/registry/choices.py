"""Choices of the registry: enterprise roles, licences, staff posts, premises and facilities."""

from django.db import models


class EnterpriseRoleChoices(models.TextChoices):
    """Business roles an enterprise holds (one enterprise may hold several)."""

    PIPELINE_GAS = "pipeline_gas", "管道燃气经营"
    BOTTLED_LPG = "bottled_lpg", "瓶装液化石油气经营"
    CYLINDER_FILLING = "cylinder_filling", "气瓶充装"
    LPG_PRODUCER = "lpg_producer", "液化石油气生产"
    INDUSTRIAL_FUEL = "industrial_fuel", "工业燃料生产"
    CYLINDER_MAKER = "cylinder_maker", "气瓶/压力管道元件制造"
    APPLIANCE_MAKER = "appliance_maker", "燃气具及配件制造"
    APPLIANCE_SELLER = "appliance_seller", "燃气具销售(含电商)"
    DANGEROUS_TRANSPORT = "dangerous_transport", "危险货物道路运输"
    INSPECTION_BODY = "inspection_body", "特种设备检验检测机构"
    RESTAURANT = "restaurant", "餐饮企业"


class LicenceKindChoices(models.TextChoices):
    GAS_OPERATION = "gas_operation", "燃气经营许可证"
    CYLINDER_FILLING = "cylinder_filling", "气瓶充装许可证"
    DANGEROUS_TRANSPORT = "dangerous_transport", "危险货物道路运输经营许可证"
    SPECIAL_EQUIPMENT_PRODUCTION = "se_production", "特种设备生产许可证"
    INSPECTION_QUALIFICATION = "inspection_qualification", "检验检测机构资质"
    HAZCHEM_PRODUCTION = "hazchem_production", "危险化学品安全生产许可证"
    HAZCHEM_OPERATION = "hazchem_operation", "危险化学品经营许可证"
    FOOD_OPERATION = "food_operation", "食品经营许可证"
    OTHER = "other", "其他"


# Which licence each role needs; a role with no entry needs none the registry can check.
ROLE_REQUIRED_LICENCE = {
    EnterpriseRoleChoices.PIPELINE_GAS: LicenceKindChoices.GAS_OPERATION,
    EnterpriseRoleChoices.BOTTLED_LPG: LicenceKindChoices.GAS_OPERATION,
    EnterpriseRoleChoices.CYLINDER_FILLING: LicenceKindChoices.CYLINDER_FILLING,
    EnterpriseRoleChoices.DANGEROUS_TRANSPORT: LicenceKindChoices.DANGEROUS_TRANSPORT,
    EnterpriseRoleChoices.CYLINDER_MAKER: LicenceKindChoices.SPECIAL_EQUIPMENT_PRODUCTION,
    EnterpriseRoleChoices.INSPECTION_BODY: LicenceKindChoices.INSPECTION_QUALIFICATION,
    EnterpriseRoleChoices.LPG_PRODUCER: LicenceKindChoices.HAZCHEM_PRODUCTION,
}
# Roles of 燃气经营者/充装单位 that must staff principal and safety managers (安全生产法 第二十四、二十七条).
ROLES_NEEDING_SAFETY_STAFF = (
    EnterpriseRoleChoices.PIPELINE_GAS,
    EnterpriseRoleChoices.BOTTLED_LPG,
    EnterpriseRoleChoices.CYLINDER_FILLING,
    EnterpriseRoleChoices.LPG_PRODUCER,
    EnterpriseRoleChoices.DANGEROUS_TRANSPORT,
)


class IssuingLevelChoices(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "地市级"
    COUNTY = "county", "县级"


class LicenceStatusChoices(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "注销"


class StaffPostChoices(models.TextChoices):
    PRINCIPAL = "principal", "主要负责人"
    SAFETY_MANAGER = "safety_manager", "安全生产管理人员"
    SE_OPERATOR = "se_operator", "特种设备作业人员(充装)"
    DELIVERY = "delivery", "送气工"
    DRIVER = "driver", "驾驶员"
    ESCORT = "escort", "押运员"
    OTHER = "other", "其他"


class CertificateKindChoices(models.TextChoices):
    SAFETY_ASSESSMENT = "safety_assessment", "安全生产知识和管理能力考核合格证明"
    SE_OPERATOR = "se_operator", "特种设备安全管理和作业人员证"
    DRIVER_QUALIFICATION = "driver_qualification", "道路运输从业资格证(危险货物)"
    TRAINING = "training", "培训合格证明"
    OTHER = "other", "其他"


class PremisesKindChoices(models.TextChoices):
    """Gas-using premises the plan names (二(四) and the closing paragraph of 二(五))."""

    RESTAURANT = "restaurant", "餐饮企业"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    CIVIL_SERVICE = "civil_service", "民政服务机构"
    SCENIC = "scenic", "旅游景区"
    NINE_SMALL = "nine_small", "九小场所"
    MARKET = "market", "商场/集贸市场"
    CANTEEN = "canteen", "单位食堂"
    INDUSTRIAL = "industrial", "工商业用户"
    RESIDENTIAL = "residential", "居民用户"
    OTHER = "other", "其他人员密集场所"


class UndergroundChoices(models.TextChoices):
    NONE = "none", "地上"
    SEMI = "semi", "半地下"
    UNDERGROUND = "underground", "地下"


class PremisesStatusChoices(models.TextChoices):
    OPEN = "open", "在营"
    SUSPENDED = "suspended", "停业"
    CLOSED = "closed", "注销/关停"


class FacilityKindChoices(models.TextChoices):
    PIPELINE_SEGMENT = "pipeline_segment", "管道管段"
    STATION = "station", "燃气场站"
    LPG_SUPPLY_STATION = "lpg_supply_station", "液化石油气供应站"
    FILLING_STATION = "filling_station", "充装站"
    REGULATOR = "regulator", "调压设施"
    VALVE_WELL = "valve_well", "阀门井"


class PressureClassChoices(models.TextChoices):
    LOW = "low", "低压"
    MEDIUM = "medium", "中压"
    SUB_HIGH = "sub_high", "次高压"
    HIGH = "high", "高压"
