"""Excel export of the rule catalogue (规则库导出), one row per rule with its legal basis."""

import io

import xlsxwriter

from gasguard.rules.catalog import Catalog, Rule

COLUMNS = (
    ("规则编号", 34, lambda r: r.id),
    ("名称", 36, lambda r: r.title),
    ("检查问题", 50, lambda r: r.question),
    ("适用对象", 24, lambda r: "、".join(r.target_labels)),
    ("回答方式", 10, lambda r: r.answer.type_label),
    ("隐患判定", 28, lambda r: r.answer.hazard_condition()),
    ("等级", 10, lambda r: r.severity_label),
    ("类别", 12, lambda r: r.category_label),
    ("牵头部门", 10, lambda r: r.lead_label),
    ("配合部门", 20, lambda r: "、".join(r.support_labels)),
    ("法律依据", 60, lambda r: r.legal_basis),
    ("处置措施", 30, lambda r: "、".join(r.action_labels)),
    ("整改期限（天，0=立即）", 12, lambda r: r.deadline_days),
    ("立行立改", 8, lambda r: "是" if r.on_the_spot else "否"),
    ("来源状态", 10, lambda r: r.source_status),
    ("专项清单", 16, lambda r: "、".join(r.checklists)),
    ("说明", 50, lambda r: r.notes),
    ("定义位置", 28, lambda r: r.origin + (f"（地方调整：{r.overridden_by}）" if r.overridden_by else "")),
)


def catalog_xlsx(rules: list[Rule], *, catalog: Catalog) -> bytes:
    """The rules as an .xlsx workbook; the first sheet row states the catalogue version."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("检查规则库")
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    note = f"检查规则库 版本 {catalog.version}；共 {len(rules)} 条" + (
        f"；已应用地方规则 {catalog.override}" if catalog.override else ""
    )
    sheet.write(0, 0, note, title)
    for col, (name, width, _) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write(1, col, name, head)
    for row, rule in enumerate(rules, start=2):
        for col, (_, _, value) in enumerate(COLUMNS):
            sheet.write(row, col, value(rule), cell)
    sheet.freeze_panes(2, 2)
    sheet.autofilter(1, 0, 1 + len(rules), len(COLUMNS) - 1)
    book.close()
    return buffer.getvalue()
