"""Demo city, registry part: ~120 fictional enterprises across every role with licences and key
staff (some expired, revoked or missing), ~8,000 fictional gas-using premises scaled by
--scale, a few facilities, and one enterprise login per enterprise kind.

Reads ctx.data: city, districts, streets, grids, departments, users. Adds: enterprises_by_role
{role: [Enterprise]}, premises_ids [int] (at scale 1 only; large scales skip the list),
facilities [Facility], and users ent_gas, ent_restaurant, ent_filling, ent_pipeline.
Every enterprise, person and premises is fictional; codes are well-formed but invented.
"""

import io
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as R
from gasguard.accounts.demo import create_demo_user
from gasguard.accounts.models import Membership
from gasguard.registry.models import (
    Certificate,
    Enterprise,
    EnterpriseRole,
    Facility,
    Licence,
    Premises,
    Staff,
)
from gasguard.registry.uscc import make_uscc

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯晨欣怡佳雪梅琳"
SHOP_WORDS = [
    "老",
    "小",
    "新",
    "金",
    "福",
    "鸿",
    "顺",
    "好",
    "大",
    "旺",
    "兴",
    "和",
    "聚",
    "德",
    "荣",
    "乐",
    "湘",
    "川",
    "粤",
    "潮",
]
CUISINES = [
    "川菜馆",
    "湘菜馆",
    "粤菜酒家",
    "潮汕牛肉火锅",
    "客家菜馆",
    "东北饺子馆",
    "兰州拉面",
    "沙县小吃",
    "烧腊店",
    "茶餐厅",
    "麻辣烫",
    "烧烤店",
    "砂锅粥",
    "肠粉店",
    "云吞面",
    "酸菜鱼",
    "黄焖鸡米饭",
    "煲仔饭",
    "汤粉店",
    "早餐店",
    "面馆",
    "海鲜酒楼",
    "农家菜",
    "私房菜",
    "快餐店",
    "卤味店",
]
ROADS = [
    "建设",
    "人民",
    "解放",
    "滨海",
    "科技",
    "创业",
    "工业",
    "文化",
    "振兴",
    "新安",
    "宝安",
    "深南",
    "北环",
    "沙河",
    "桂园",
    "翠竹",
]
COMPANY_SUFFIX = {
    "pipeline_gas": "燃气集团有限公司",
    "bottled_lpg": "液化石油气有限公司",
    "cylinder_filling": "燃气充装有限公司",
    "lpg_producer": "石化有限公司",
    "industrial_fuel": "新能源燃料有限公司",
    "cylinder_maker": "压力容器制造有限公司",
    "appliance_maker": "燃气具制造有限公司",
    "appliance_seller": "燃气具商行",
    "dangerous_transport": "危险货物运输有限公司",
    "inspection_body": "特种设备检测有限公司",
    "restaurant": "餐饮管理有限公司",
}
# Role mix of the ~120 demo enterprises (some hold a second role, see below).
ROLE_COUNTS = {
    "pipeline_gas": 3,
    "bottled_lpg": 14,
    "cylinder_filling": 8,
    "lpg_producer": 2,
    "industrial_fuel": 3,
    "cylinder_maker": 3,
    "appliance_maker": 8,
    "appliance_seller": 16,
    "dangerous_transport": 6,
    "inspection_body": 3,
    "restaurant": 54,
}
PREMISES_KINDS = [
    ("restaurant", 60),
    ("nine_small", 12),
    ("canteen", 6),
    ("school", 5),
    ("market", 4),
    ("industrial", 4),
    ("other", 3),
    ("hospital", 2),
    ("civil_service", 2),
    ("scenic", 1),
    ("residential", 1),
]
KIND_NAMES = {
    "school": ["实验学校", "小学", "中学", "幼儿园", "职业技术学校"],
    "hospital": ["人民医院", "社区健康服务中心", "中医院", "门诊部"],
    "civil_service": ["养老院", "长者服务中心", "福利院"],
    "scenic": ["公园游客中心", "景区美食街", "民俗村"],
    "nine_small": ["小吃店", "便利店熟食档", "大排档", "粥铺"],
    "market": ["农贸市场熟食区", "购物广场美食城", "商业街美食广场"],
    "canteen": ["员工食堂", "机关食堂", "工业园食堂"],
    "industrial": ["食品厂", "五金厂", "印染厂"],
    "residential": ["花园小区", "新村"],
    "other": ["酒店", "KTV", "体育中心"],
}


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _point_in(region, rng) -> tuple[float, float]:
    ring = region.boundary["coordinates"][0]
    lon0, lat0 = ring[0]
    lon1, lat1 = ring[2]
    return round(rng.uniform(lon0, lon1), 6), round(rng.uniform(lat0, lat1), 6)


def _build_enterprises(ctx) -> dict[str, list[Enterprise]]:
    rng = ctx.rng
    streets = ctx.data["streets"]
    districts = {d.code: d for d in ctx.data["districts"]}
    today = ctx.today
    by_role: dict[str, list[Enterprise]] = {role: [] for role in ROLE_COUNTS}
    serial = 0
    plan = []
    for role, count in ROLE_COUNTS.items():
        for i in range(count):
            plan.append((role, i))
    enterprises = []
    for role, i in plan:
        serial += 1
        street = streets[rng.randrange(len(streets))]
        if i == 0:  # the first of each role sits in 南山 so the 南山 demo users see one of each
            nanshan = [s for s in streets if s.code.startswith("440305")]
            street = nanshan[serial % len(nanshan)]
        district = districts[street.code[:6]]
        brand = (
            rng.choice(SHOP_WORDS)
            + rng.choice(SHOP_WORDS)
            + rng.choice(["达", "通", "安", "泰", "源", "盛", "信", "捷"])
        )
        lon, lat = _point_in(street, rng)
        enterprises.append(
            Enterprise(
                name=f"深圳市{brand}{COMPANY_SUFFIX[role]}"
                if role != "appliance_seller" or i % 3
                else f"{brand}燃气具网店（电商）",
                uscc=make_uscc(street.code[:6], 700000 + serial),
                region=street,
                region_code=street.code,
                address=f"深圳市{district.name}{street.name}{rng.choice(ROADS)}路{rng.randint(1, 999)}号",
                legal_representative=_person(rng),
                contact_phone=_phone(rng),
                lon=lon,
                lat=lat,
                service_region_codes=[street.code[:6]] if role in ("bottled_lpg", "pipeline_gas") else [],
            )
        )
    Enterprise.objects.bulk_create(enterprises)
    # Back in plan order (ordering by USCC would sort by district and give roles to the wrong names).
    saved = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[e.uscc for e in enterprises])}
    enterprises = [saved[e.uscc] for e in enterprises]
    roles, licences, staff_rows = [], [], []
    for (role, i), ent in zip(plan, enterprises, strict=True):
        by_role[role].append(ent)
        roles.append(EnterpriseRole(enterprise=ent, role=role))
        if role == "bottled_lpg" and i % 3 == 0:  # an LPG operator that also fills its own cylinders
            roles.append(EnterpriseRole(enterprise=ent, role="cylinder_filling"))
            by_role["cylinder_filling"].append(ent)
        if role == "pipeline_gas":
            ent.service_region_codes = [d for d in districts][i * 2 : i * 2 + 2]
            ent.save(update_fields=["service_region_codes"])
    EnterpriseRole.objects.bulk_create(roles)

    from gasguard.registry.choices import ROLE_REQUIRED_LICENCE

    issuers = {
        "gas_operation": ("深圳市住房和建设局", "city"),
        "cylinder_filling": ("广东省市场监督管理局", "province"),
        "dangerous_transport": ("深圳市交通运输局", "city"),
        "se_production": ("国家市场监督管理总局", "national"),
        "inspection_qualification": ("广东省市场监督管理局", "province"),
        "hazchem_production": ("广东省应急管理厅", "province"),
    }
    lic_serial = 0
    for ent in enterprises:
        for role_row in [r for r in roles if r.enterprise_id == ent.pk]:
            kind = ROLE_REQUIRED_LICENCE.get(role_row.role)
            if not kind:
                continue
            roll = rng.random()
            if roll < 0.05:
                continue  # missing licence: a registry finding
            lic_serial += 1
            issuer, level = issuers[str(kind)]
            start = today - timedelta(days=rng.randint(200, 1600))
            end = start + timedelta(days=365 * rng.choice((3, 4, 5)))
            status = "valid"
            if roll < 0.15:
                end = today - timedelta(days=rng.randint(5, 300))  # expired
                start = end - timedelta(days=365 * 3)
            elif roll < 0.18:
                status = "revoked"
            licences.append(
                Licence(
                    enterprise=ent,
                    region_code=ent.region_code,
                    kind=kind,
                    number=f"粤{kind[:2].upper()}{2019 + lic_serial % 6}{lic_serial:05d}",
                    issuer=issuer,
                    issuing_level=level,
                    scope=role_row.get_role_display(),
                    valid_from=start,
                    valid_to=end,
                    status=status,
                )
            )
        posts = [("principal", 1), ("safety_manager", rng.choice((0, 1, 1, 2, 2, 3)))]
        ent_roles = {r.role for r in roles if r.enterprise_id == ent.pk}
        if "cylinder_filling" in ent_roles:
            posts.append(("se_operator", rng.randint(2, 5)))
        if "bottled_lpg" in ent_roles:
            posts.append(("delivery", rng.randint(3, 8)))
        if "dangerous_transport" in ent_roles:
            posts.append(("driver", rng.randint(2, 6)))
            posts.append(("escort", rng.randint(1, 3)))
        for post, count in posts:
            for _ in range(count):
                staff_rows.append(
                    Staff(
                        enterprise=ent,
                        region_code=ent.region_code,
                        name=_person(rng),
                        post=post,
                        phone=_phone(rng),
                        id_number_masked=f"4403{rng.randint(10, 99)}********{rng.randint(1000, 9999)}",
                    )
                )
    Licence.objects.bulk_create(licences)
    Staff.objects.bulk_create(staff_rows)
    certs = []
    for person in Staff.objects.filter(enterprise__in=enterprises).order_by("id"):
        kind = {
            "principal": "safety_assessment",
            "safety_manager": "safety_assessment",
            "se_operator": "se_operator",
            "driver": "driver_qualification",
            "escort": "driver_qualification",
            "delivery": "training",
        }.get(person.post)
        roll = rng.random()
        if not kind or roll < 0.07:
            continue  # no certificate on file
        issued = today - timedelta(days=rng.randint(100, 1400))
        valid_to = issued + timedelta(days=365 * 3)
        if roll < 0.15:
            valid_to = today - timedelta(days=rng.randint(1, 200))
            issued = valid_to - timedelta(days=365 * 3)
        certs.append(
            Certificate(
                staff=person,
                kind=kind,
                number=f"ZS{person.pk:07d}",
                passed=roll > 0.09,
                issued_on=issued,
                valid_to=valid_to,
            )
        )
    Certificate.objects.bulk_create(certs)
    ctx.log(
        f"企业：{len(enterprises)} 家，证照 {len(licences)} 张，从业人员 {len(staff_rows)} 名，证书 {len(certs)} 张"
    )
    return by_role


def _premises_rows(ctx, count: int, by_role):
    """Yield Premises objects; names, places and gas sources drawn from ctx.rng."""
    rng = ctx.rng
    grids = ctx.data["grids"]
    districts = {d.code: d for d in ctx.data["districts"]}
    streets = {s.code: s for s in ctx.data["streets"]}
    lpg_suppliers = by_role.get("bottled_lpg") or [None]
    restaurant_chains = by_role.get("restaurant") or []
    kinds = [k for k, _ in PREMISES_KINDS]
    weights = [w for _, w in PREMISES_KINDS]
    now = timezone.now()
    for n in range(count):
        grid = grids[rng.randrange(len(grids))]
        kind = rng.choices(kinds, weights)[0]
        if kind == "restaurant":
            name = f"{rng.choice(SURNAMES)}记{rng.choice(SHOP_WORDS)}{rng.choice(CUISINES)}"
        else:
            name = f"{streets[grid.code[:9]].name[:-2]}{rng.choice(KIND_NAMES[kind])}"
        lon, lat = _point_in(grid, rng)
        gas_roll = rng.random()
        lpg = gas_roll < 0.55
        pipeline = not lpg and gas_roll < 0.95
        alcohol = gas_roll >= 0.95
        chain = (
            restaurant_chains[n % len(restaurant_chains)]
            if kind == "restaurant" and restaurant_chains and rng.random() < 0.1
            else None
        )
        under_roll = rng.random()
        yield Premises(
            name=f"{name}（{n + 1}店）" if rng.random() < 0.02 else name,
            kind=kind,
            region_id=grid.pk,
            region_code=grid.code,
            operator_name=chain.name if chain else _person(rng),
            enterprise_id=chain.pk if chain else None,
            address=f"深圳市{districts[grid.code[:6]].name}{streets[grid.code[:9]].name}{rng.choice(ROADS)}路{rng.randint(1, 888)}号",
            lon=lon,
            lat=lat,
            gas_pipeline=pipeline,
            gas_lpg=lpg,
            gas_alcohol=alcohol,
            underground="underground" if under_roll < 0.01 else ("semi" if under_roll < 0.03 else "none"),
            supplier_id=lpg_suppliers[n % len(lpg_suppliers)].pk if lpg and lpg_suppliers[0] else None,
            contact_name=_person(rng),
            contact_phone=_phone(rng),
            status="open" if rng.random() > 0.03 else "suspended",
            external_id=f"DEMO{n + 1:08d}",
            created_at=now,
            updated_at=now,
        )


_COPY_COLUMNS = [
    "name",
    "kind",
    "region_id",
    "region_code",
    "operator_name",
    "enterprise_id",
    "address",
    "lon",
    "lat",
    "gas_pipeline",
    "gas_lpg",
    "gas_alcohol",
    "gas_other",
    "underground",
    "supplier_id",
    "contact_name",
    "contact_phone",
    "status",
    "external_id",
    "created_at",
    "updated_at",
]


def insert_premises(rows, *, batch: int = 20000) -> int:
    """Insert premises fast: COPY on PostgreSQL, bulk_create elsewhere. Returns the count."""
    total = 0
    chunk: list[Premises] = []

    def flush():
        nonlocal total
        if not chunk:
            return
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            for p in chunk:
                values = []
                for col in _COPY_COLUMNS:
                    v = getattr(p, col)
                    if v is None:
                        values.append("\\N")
                    elif isinstance(v, bool):
                        values.append("t" if v else "f")
                    elif hasattr(v, "isoformat"):
                        values.append(v.isoformat())
                    else:
                        values.append(str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " "))
                buf.write("\t".join(values) + "\n")
            with connection.cursor() as cursor:
                with cursor.cursor.copy(
                    f"COPY {Premises._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
                ) as copy:
                    copy.write(buf.getvalue())
        else:
            Premises.objects.bulk_create(chunk, batch_size=2000)
        total += len(chunk)
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            flush()
    flush()
    return total


def _build_facilities(ctx, by_role) -> list[Facility]:
    rng = ctx.rng
    rows = []
    pipeline_cos = by_role.get("pipeline_gas") or []
    for d_index, district in enumerate(ctx.data["districts"]):
        owner = pipeline_cos[d_index % len(pipeline_cos)] if pipeline_cos else None
        if owner is None:
            break
        ring = district.boundary["coordinates"][0]
        lon0, lat0 = ring[0]
        lon1, lat1 = ring[2]
        for k in range(8):
            lat = lat0 + (lat1 - lat0) * (k + 1) / 9
            rows.append(
                Facility(
                    kind="pipeline_segment",
                    name=f"{district.name}中压干线{k + 1}号管段",
                    code=f"GD{district.code}{k + 1:03d}",
                    enterprise=owner,
                    region=district,
                    region_code=district.code,
                    geometry={
                        "type": "LineString",
                        "coordinates": [
                            [round(lon0 + 0.01, 5), round(lat, 5)],
                            [round(lon1 - 0.01, 5), round(lat, 5)],
                        ],
                    },
                    pressure_class=rng.choice(["medium", "medium", "low", "sub_high"]),
                    material=rng.choice(["PE", "钢管", "铸铁管"]),
                    diameter_mm=rng.choice([110, 160, 200, 315]),
                    length_m=round((lon1 - lon0 - 0.02) * 102000, 1),
                    built_year=rng.randint(1995, 2022),
                )
            )
        for k in range(3):
            lon, lat = _point_in(district, rng)
            rows.append(
                Facility(
                    kind="regulator",
                    name=f"{district.name}{k + 1}号调压站",
                    code=f"TY{district.code}{k + 1:02d}",
                    enterprise=owner,
                    region=district,
                    region_code=district.code,
                    geometry={"type": "Point", "coordinates": [lon, lat]},
                    pressure_class="medium",
                    built_year=rng.randint(2000, 2022),
                )
            )
    for k, ent in enumerate(by_role.get("bottled_lpg", [])[:6]):
        rows.append(
            Facility(
                kind="lpg_supply_station",
                name=f"{ent.name[:-4]}供应站",
                code=f"GYZ{k + 1:03d}",
                enterprise=ent,
                region_id=ent.region_id,
                region_code=ent.region_code,
                geometry={"type": "Point", "coordinates": [ent.lon, ent.lat]},
            )
        )
    for k, ent in enumerate(by_role.get("cylinder_filling", [])):
        rows.append(
            Facility(
                kind="filling_station",
                name=f"{ent.name[:-4]}充装站",
                code=f"CZZ{k + 1:03d}",
                enterprise=ent,
                region_id=ent.region_id,
                region_code=ent.region_code,
                geometry={"type": "Point", "coordinates": [ent.lon, ent.lat]},
            )
        )
    Facility.objects.bulk_create(rows)
    return list(Facility.objects.order_by("id"))


def build(ctx) -> None:
    by_role = _build_enterprises(ctx)
    ctx.data["enterprises_by_role"] = by_role
    count = ctx.n(8000)
    inserted = insert_premises(_premises_rows(ctx, count, by_role))
    if count <= 20000:
        ctx.data["premises_ids"] = list(Premises.objects.order_by("id").values_list("id", flat=True))
    ctx.data["facilities"] = _build_facilities(ctx, by_role)
    ctx.log(f"用气场所：{inserted} 处；燃气设施：{len(ctx.data['facilities'])} 处")

    # One enterprise login per kind, each attached to a 南山 enterprise of that role.
    roles = ctx.data.setdefault("user_roles", {})
    for username, real_name, role in (
        ("ent_gas", "钟经理", "bottled_lpg"),
        ("ent_restaurant", "马老板", "restaurant"),
        ("ent_filling", "谢站长", "cylinder_filling"),
        ("ent_pipeline", "潘主任", "pipeline_gas"),
    ):
        candidates = by_role.get(role) or []
        # An enterprise of that kind first (an LPG company that also fills is not a filling station).
        candidates = [e for e in candidates if e.name.endswith(COMPANY_SUFFIX[role])] or candidates
        nanshan = [e for e in candidates if e.region_code.startswith("440305")] or candidates
        if not nanshan:
            continue
        enterprise = nanshan[0]
        user = create_demo_user(ctx, username, real_name)
        Membership.objects.create(user=user, role=R.ENTERPRISE, enterprise=enterprise)
        roles[username] = (R.ENTERPRISE.label, enterprise.name)
    # The demo restaurant company runs a few 南山 restaurants so its user has premises to see.
    restaurant_co = (by_role.get("restaurant") or [None])[0]
    if restaurant_co is not None:
        mine = list(
            Premises.objects.filter(
                region_code__startswith="440305", kind="restaurant", enterprise__isnull=True
            ).order_by("id")[:3]
        )
        Premises.objects.filter(pk__in=[p.pk for p in mine]).update(
            enterprise=restaurant_co, operator_name=restaurant_co.name
        )
