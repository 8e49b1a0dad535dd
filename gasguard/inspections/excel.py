"""Excel export of the never-inspected list (未检查清单), written row by row in constant memory."""

import io

import xlsxwriter

PREMISES_HEADER = [
    "序号",
    "区划代码",
    "所在区划/网格",
    "场所名称",
    "场所类型",
    "地址",
    "经营主体",
    "联系人",
    "联系电话",
]
ENTERPRISE_HEADER = [
    "序号",
    "区划代码",
    "所在区划",
    "企业名称",
    "统一社会信用代码",
    "业务类型",
    "地址",
    "联系电话",
]


def never_inspected_xlsx(queryset, *, which: str = "premises") -> bytes:
    """One row per premises (or enterprise) with no sealed inspection; iterates in chunks."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("未检查清单")
    bold = workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    header = ENTERPRISE_HEADER if which == "enterprises" else PREMISES_HEADER
    sheet.write_row(0, 0, header, bold)
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, len(header) - 1, 24)
    row = 0
    for row, obj in enumerate(queryset.iterator(chunk_size=2000), start=1):
        if which == "enterprises":
            values = [
                row,
                obj.region_code,
                obj.region.name,
                obj.name,
                obj.uscc,
                "、".join(r.get_role_display() for r in obj.roles.all()),
                obj.address,
                obj.contact_phone,
            ]
        else:
            values = [
                row,
                obj.region_code,
                obj.region.name,
                obj.name,
                obj.get_kind_display(),
                obj.address,
                obj.enterprise.name if obj.enterprise_id else obj.operator_name,
                obj.contact_name,
                obj.contact_phone,
            ]
        sheet.write_row(row, 0, values)
    sheet.write(row + 2, 0, f"合计 {row} 条")
    workbook.close()
    return buffer.getvalue()
