"""Demo city, organisation part: 深圳市 (4403) with six districts, streets, communities, grids,
every department kind per city and district, street offices and the task forces.

Adds to ctx.data: province, city, districts, streets, communities, grids (Region lists),
departments {(region_code, kind): Department}, task_force (the city's), district_task_forces.
Division codes down to county level are the real public GB/T 2260 codes; street and lower
codes, all names below county level and all boundaries are fictional approximations.
"""

from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department, Region, TaskForce

# (code, name, centre lon, centre lat) — real codes and approximate centres.
DISTRICTS = [
    ("440303", "罗湖区", 114.131, 22.572),
    ("440304", "福田区", 114.055, 22.541),
    ("440305", "南山区", 113.930, 22.533),
    ("440306", "宝安区", 113.884, 22.655),
    ("440307", "龙岗区", 114.247, 22.720),
    ("440309", "龙华区", 114.036, 22.697),
]
STREET_WORDS = [
    "东湖",
    "西岭",
    "南园",
    "北苑",
    "青松",
    "翠竹",
    "桂花",
    "梅林",
    "沙河",
    "新安",
    "石岩",
    "龙城",
    "凤凰",
    "玉塘",
    "清湖",
    "民治",
    "观澜",
    "坪地",
    "横岗",
    "布吉",
    "吉华",
    "园山",
    "宝龙",
    "平湖",
    "莲花",
    "香蜜",
    "华富",
    "园岭",
    "沙头",
    "福保",
    "蛇口",
    "招商",
    "粤海",
    "桃源",
    "西丽",
    "前海",
    "航城",
    "福永",
    "沙井",
    "松岗",
    "燕罗",
    "新桥",
    "福海",
    "西乡",
    "黄贝",
    "笋岗",
    "清水",
    "莲塘",
    "东门",
    "南湖",
    "东晓",
    "金湖",
    "银湖",
    "大浪",
    "福城",
    "观湖",
    "雅园",
    "碧岭",
    "锦绣",
    "和平",
]
COMMUNITY_WORDS = ["一", "二", "三", "东", "西", "南", "北", "中", "新", "老"]
# Departments every city and district has; streets get a 街道办事处 (kind street).
DEPARTMENT_NAMES = {
    "housing": "住房和建设局",
    "market": "市场监督管理局",
    "commerce": "商务局",
    "emergency": "应急管理局",
    "transport": "交通运输局",
    "police": "公安局",
    "fire": "消防救援支队",
    "development": "发展和改革委员会",
    "finance": "财政局",
    "natural_resources": "规划和自然资源局",
    "justice": "司法局",
    "education": "教育局",
    "civil_affairs": "民政局",
    "culture_tourism": "文化广电旅游体育局",
    "health": "卫生健康委员会",
    "government": "人民政府",
}


def _rect(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }


def _split(box: tuple[float, float, float, float], n: int) -> list[tuple[float, float, float, float]]:
    """Split a box into n cells (columns × rows), left to right, bottom to top."""
    cols = 1
    while cols * cols < n:
        cols += 1
    rows = (n + cols - 1) // cols
    lon0, lat0, lon1, lat1 = box
    w, h = (lon1 - lon0) / cols, (lat1 - lat0) / rows
    cells = []
    for i in range(n):
        c, r = i % cols, i // cols
        cells.append((lon0 + c * w, lat0 + r * h, lon0 + (c + 1) * w, lat0 + (r + 1) * h))
    return cells


def _region(code, name, level, parent, box) -> Region:
    lon0, lat0, lon1, lat1 = box
    return Region(
        code=code,
        name=name,
        level=level,
        parent=parent,
        boundary=_rect(round(lon0, 5), round(lat0, 5), round(lon1, 5), round(lat1, 5)),
        center_lon=round((lon0 + lon1) / 2, 6),
        center_lat=round((lat0 + lat1) / 2, 6),
    )


def build(ctx) -> None:
    rng = ctx.rng
    province = Region.objects.create(code="44", name="广东省", level=1, center_lon=113.27, center_lat=23.13)
    city = _region("4403", "深圳市", 2, province, (113.75, 22.45, 114.40, 22.85))
    city.save()
    words = STREET_WORDS[:]
    rng.shuffle(words)
    districts, streets, communities, grids = [], [], [], []
    boxes = {}
    for code, name, lon, lat in DISTRICTS:
        box = (lon - 0.07, lat - 0.045, lon + 0.07, lat + 0.045)
        district = _region(code, name, 3, city, box)
        district.save()
        districts.append(district)
        boxes[code] = box
    street_rows = []
    for district in districts:
        for i, cell in enumerate(_split(boxes[district.code], 10), start=1):
            word = words.pop()
            street_rows.append(_region(f"{district.code}{i:03d}", f"{word}街道", 4, district, cell))
    streets = Region.objects.bulk_create(street_rows)
    # bulk_create on SQLite does not return parents' ids to children built later, so refetch.
    streets = list(Region.objects.filter(level=4, code__startswith="4403").order_by("code"))
    community_rows = []
    for s_index, street in enumerate(streets):
        (lon0, lat0, lon1, lat1) = street.boundary["coordinates"][0][0] + street.boundary["coordinates"][0][2]
        for j, cell in enumerate(_split((lon0, lat0, lon1, lat1), 3), start=1):
            name = f"{street.name[:-2]}{COMMUNITY_WORDS[(j + s_index) % len(COMMUNITY_WORDS)]}社区"
            community_rows.append(_region(f"{street.code}{j:03d}", name, 5, street, cell))
    Region.objects.bulk_create(community_rows)
    communities = list(Region.objects.filter(level=5, code__startswith="4403").order_by("code"))
    grid_rows = []
    for community in communities:
        (lon0, lat0, lon1, lat1) = (
            community.boundary["coordinates"][0][0] + community.boundary["coordinates"][0][2]
        )
        for k, cell in enumerate(_split((lon0, lat0, lon1, lat1), 2), start=1):
            grid_rows.append(
                _region(f"{community.code}{k:03d}", f"{community.name}第{k}网格", 6, community, cell)
            )
    Region.objects.bulk_create(grid_rows)
    grids = list(Region.objects.filter(level=6, code__startswith="4403").order_by("code"))

    departments = {}
    dept_rows = []
    for region in [city, *districts]:
        prefix = "深圳市" if region is city else f"深圳市{region.name}"
        for kind, suffix in DEPARTMENT_NAMES.items():
            dept_rows.append(
                Department(
                    region=region,
                    region_code=region.code,
                    kind=kind,
                    name=f"{prefix}{suffix}",
                    phone=f"0755-{rng.randint(20000000, 89999999)}",
                )
            )
    for street in streets:
        dept_rows.append(
            Department(
                region=street,
                region_code=street.code,
                kind=DepartmentKindChoices.STREET,
                name=f"{street.parent.name}{street.name}办事处",
            )
        )
    for dept in Department.objects.bulk_create(dept_rows):
        departments[(dept.region_code, dept.kind)] = dept
    departments = {(d.region_code, d.kind): d for d in Department.objects.all()}

    task_force = TaskForce.objects.create(
        region=city,
        name="深圳市城镇燃气安全专项整治工作专班",
        lead=departments[("4403", "housing")],
        deputy_lead=departments[("4403", "emergency")],
        head="深圳市分管副市长（演示）",
        liaison="陈联络（演示）",
        liaison_phone="0755-20230809",
    )
    task_force.members.set([d for (code, _), d in departments.items() if code == "4403"])
    district_tfs = []
    for district in districts:
        tf = TaskForce.objects.create(
            region=district,
            name=f"{district.name}城镇燃气安全专项整治工作专班",
            lead=departments[(district.code, "housing")],
            deputy_lead=departments[(district.code, "emergency")],
        )
        tf.members.set([d for (code, _), d in departments.items() if code == district.code])
        district_tfs.append(tf)

    ctx.data.update(
        province=province,
        city=city,
        districts=districts,
        streets=streets,
        communities=communities,
        grids=grids,
        departments=departments,
        task_force=task_force,
        district_task_forces=district_tfs,
    )
    ctx.log(
        f"组织机构：{1 + 1 + len(districts) + len(streets) + len(communities) + len(grids)} 个区划，"
        f"{len(departments)} 个部门，{1 + len(district_tfs)} 个专班"
    )
