"""Word and Excel documents of the campaign: the monthly report, its annex, and the 通报.

Documents are rendered from a figures dict (a report's snapshot once submitted), never from
the database directly, so a regenerated submitted report is byte-for-byte the same content.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

DRAFT_MARK = "草稿（统计期未结束）"
FONT = "宋体"


def _fmt(value, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer() and not suffix:
        value = int(value)
    return f"{value}{suffix}"


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _doc() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    # Fixed core properties: the same figures give the same document text.
    doc.core_properties.author = "城镇燃气安全排查整治与监管平台"
    return doc


def _heading(doc, text: str, level: int = 1) -> None:
    p = doc.add_heading(text, level=level)
    for run in p.runs:
        run.font.name = FONT
        run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def _table(doc, header: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _fmt(value) if not isinstance(value, str) else value


def _paragraphs(doc, text: str, empty: str = "（未填写）") -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines or [empty]:
        doc.add_paragraph(line)


def _hazard_sentence(h: dict, prefix: str) -> str:
    return (
        f"{prefix}排查发现隐患{h['found']}项（其中重大隐患{h['major_found']}项），已整改{h['found_closed']}项，"
        f"整改率{_pct(h['rectification_rate'])}；期间销号{h['closed']}项；截至统计截止日未销号{h['open']}项，"
        f"其中逾期{h['overdue']}项、挂牌督办{h['supervised_open']}项。"
    )


def monthly_report_docx(*, figures: dict, narrative: dict, status_label: str = "") -> bytes:
    """The monthly progress report (月度工作进展报告) as a .docx file."""
    doc = _doc()
    region = figures["region"]
    year, month = figures["month"].split("-")
    if figures.get("draft"):
        mark = doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(DRAFT_MARK)
        run.font.bold = True
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(
        f"{region.get('full_name') or region['name']}城镇燃气安全专项整治\n{year}年{int(month)}月工作进展情况"
    )
    run.font.bold = True
    run.font.size = Pt(18)
    period, cumulative = figures["period"], figures["cumulative"]
    doc.add_paragraph(
        f"统计期：{period['start']} 至 {period['end']}（累计自 {cumulative['start']} 起）。"
        + (f"专项整治：{figures['campaign']}。" if figures.get("campaign") else "")
        + (f"状态：{status_label}。" if status_label else "")
    )

    p, c = figures["period_figures"], figures["cumulative_figures"]
    _heading(doc, "一、工作开展情况")
    _paragraphs(doc, narrative.get("work_summary", ""))

    _heading(doc, "二、排查整治数据")
    cov_p, cov_c = p["coverage"], c["coverage"]
    doc.add_paragraph(
        f"登记在册用气场所{cov_c['registered']}处；本期检查覆盖{_fmt(cov_p['inspected'])}处"
        f"（检查{_fmt(cov_p.get('inspections'))}次）；累计覆盖{_fmt(cov_c['inspected'])}处，覆盖率{_pct(cov_c['coverage_rate'])}。"
    )
    doc.add_paragraph(_hazard_sentence(p["hazards"], "本期"))
    doc.add_paragraph(_hazard_sentence(c["hazards"], "累计"))
    _table(
        doc,
        ["类别", "本期发现", "本期销号", "累计发现", "累计已整改", "未销号", "逾期", "整改率"],
        [
            [
                r["label"],
                r["period_found"],
                r["period_closed"],
                r["found"],
                r["found_closed"],
                r["open"],
                r["overdue"],
                _pct(r["rectification_rate"]),
            ]
            for r in figures["tables"]["by_category"]
        ],
    )
    if c.get("revisit"):
        rv = c["revisit"]
        doc.add_paragraph(
            f"“回头看”：累计抽取复查{rv['sampled']}项，已复查{rv['done']}项（完成率{_pct(rv['done_rate'])}），"
            f"发现改后反弹{rv['reappeared']}项。"
        )

    _heading(doc, "三、重大隐患整治情况")
    mp, mc = p["major"], c["major"]
    doc.add_paragraph(
        f"本期新发现重大隐患{mp['major_found']}项；累计发现{mc['major_found']}项，已整改{mc['major_found_closed']}项，"
        f"清零率{_pct(mc['major_cleared_rate'])}；未销号{mc['major_open']}项，其中挂牌督办{mc['supervised_open']}项、逾期{mc['overdue']}项。"
    )
    if figures.get("major_list"):
        _table(
            doc,
            ["编号", "隐患", "对象", "监管部门", "完成时限", "状态", "督办"],
            [
                [
                    m["code"],
                    m["title"],
                    m["target"],
                    m["department"],
                    m["deadline"],
                    m["status"],
                    "是" if m["supervised"] else "否",
                ]
                for m in figures["major_list"]
            ],
        )

    _heading(doc, "四、执法检查情况")
    ep, ec = p.get("enforcement"), c.get("enforcement")
    if ep is None:
        doc.add_paragraph("执法数据暂未接入。")
    else:
        doc.add_paragraph(
            f"本期实施执法措施{ep['count']}次，罚款{ep['fines']:.2f}元；累计{ec['count']}次，罚款{ec['fines']:.2f}元。"
        )
        if ec.get("by_kind"):
            _table(doc, ["措施", "累计次数"], [[k["label"], k["count"]] for k in ec["by_kind"]])

    _heading(doc, "五、举报核查情况")
    tp, tc = p.get("tips"), c.get("tips")
    if tp is None:
        doc.add_paragraph("举报数据暂未接入。")
    else:
        doc.add_paragraph(
            f"本期受理群众举报{tp['received']}件，查实{_fmt(tp['verified'])}件，奖励{_fmt(tp['rewarded'])}件"
            f"（奖励金额{_fmt(tp['reward_amount'])}元）；累计受理{tc['received']}件，查实{_fmt(tc['verified'])}件，"
            f"奖励{_fmt(tc['rewarded'])}件。"
        )

    _heading(doc, "六、存在问题")
    _paragraphs(doc, narrative.get("problems", ""))
    _heading(doc, "七、下一步工作安排")
    _paragraphs(doc, narrative.get("next_steps", ""))
    doc.add_paragraph("附件：排查整治数据统计表（Excel）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet(wb, title: str, header: list[str], rows: list[list], note: str = "") -> None:
    ws = wb.create_sheet(title)
    start = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(bold=True, color="C00000")
        start = 2
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=start, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = max(10, len(text) * 2 + 2)
    for r, row in enumerate(rows, start=start + 1):
        for col, value in enumerate(row, start=1):
            ws.cell(row=r, column=col, value=value)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)


def monthly_report_xlsx(*, figures: dict) -> bytes:
    """The Excel annex: tables by category, by department, by subordinate region (and majors)."""
    wb = Workbook()
    wb.remove(wb.active)
    note = DRAFT_MARK if figures.get("draft") else ""
    region = figures["region"]
    summary = wb.create_sheet("汇总")
    if note:
        summary.append([note])
    summary.append(["地区", region["name"], "区划代码", region["code"], "月份", figures["month"]])
    summary.append(
        [
            "统计期",
            f"{figures['period']['start']} 至 {figures['period']['end']}",
            "累计起",
            figures["cumulative"]["start"],
        ]
    )
    summary.append([])
    summary.append(["指标", "本期", "累计"])
    p, c = figures["period_figures"], figures["cumulative_figures"]
    lines = [
        ("登记用气场所", c["coverage"]["registered"], c["coverage"]["registered"]),
        ("检查覆盖场所", p["coverage"]["inspected"], c["coverage"]["inspected"]),
        ("覆盖率(%)", p["coverage"]["coverage_rate"], c["coverage"]["coverage_rate"]),
        ("排查发现隐患", p["hazards"]["found"], c["hazards"]["found"]),
        ("其中重大隐患", p["hazards"]["major_found"], c["hazards"]["major_found"]),
        ("已整改", p["hazards"]["found_closed"], c["hazards"]["found_closed"]),
        ("整改率(%)", p["hazards"]["rectification_rate"], c["hazards"]["rectification_rate"]),
        ("期间销号", p["hazards"]["closed"], c["hazards"]["closed"]),
        ("未销号", p["hazards"]["open"], c["hazards"]["open"]),
        ("逾期未整改", p["hazards"]["overdue"], c["hazards"]["overdue"]),
        ("重大隐患未销号", p["hazards"]["major_open"], c["hazards"]["major_open"]),
        ("重大隐患清零率(%)", p["hazards"]["major_cleared_rate"], c["hazards"]["major_cleared_rate"]),
    ]
    if c.get("enforcement") is not None:
        lines += [
            ("执法措施(次)", p["enforcement"]["count"], c["enforcement"]["count"]),
            ("罚款(元)", p["enforcement"]["fines"], c["enforcement"]["fines"]),
        ]
    if c.get("tips") is not None:
        lines += [
            ("受理举报(件)", p["tips"]["received"], c["tips"]["received"]),
            ("查实(件)", p["tips"]["verified"], c["tips"]["verified"]),
            ("奖励(件)", p["tips"]["rewarded"], c["tips"]["rewarded"]),
        ]
    for line in lines:
        summary.append(list(line))
    summary.column_dimensions["A"].width = 22
    header = ["{}", "本期发现", "本期销号", "累计发现", "累计已整改", "未销号", "逾期", "整改率(%)"]
    for dim, title, first in (
        ("by_category", "按隐患类别", "隐患类别"),
        ("by_department_kind", "按牵头部门类型", "牵头部门类型"),
        ("by_department", "按监管部门", "监管部门"),
        ("by_source", "按发现来源", "发现来源"),
    ):
        rows = [
            [
                r["label"],
                r["period_found"],
                r["period_closed"],
                r["found"],
                r["found_closed"],
                r["open"],
                r["overdue"],
                r["rectification_rate"],
            ]
            for r in figures["tables"][dim]
        ]
        _sheet(wb, title, [first, *header[1:]], rows, note)
    _sheet(
        wb,
        "按下级地区",
        [
            "地区",
            "区划代码",
            "登记场所",
            "覆盖场所",
            "覆盖率(%)",
            "本期发现",
            "本期销号",
            "累计发现",
            "累计已整改",
            "未销号",
            "逾期",
            "重大未销号",
            "整改率(%)",
        ],
        [
            [
                r["name"],
                r["code"],
                r["registered"],
                r["inspected"],
                r["coverage_rate"],
                r["period_found"],
                r["period_closed"],
                r["found"],
                r["found_closed"],
                r["open"],
                r["overdue"],
                r["major_open"],
                r["rectification_rate"],
            ]
            for r in figures["tables"]["by_region"]
        ],
        note,
    )
    _sheet(
        wb,
        "重大隐患清单",
        ["编号", "隐患", "对象", "监管部门", "完成时限", "状态", "挂牌督办", "督办层级"],
        [
            [
                m["code"],
                m["title"],
                m["target"],
                m["department"],
                m["deadline"],
                m["status"],
                "是" if m["supervised"] else "否",
                m["escalation_level"],
            ]
            for m in figures["major_list"]
        ],
        note,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def supervision_notice_docx(
    *, notice_title: str, number: str, issued_on: date, body: str, figures: dict
) -> bytes:
    """A 通报 naming the regions and departments behind schedule, with their figures."""
    doc = _doc()
    if number:
        p = doc.add_paragraph(number)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(notice_title)
    run.font.bold = True
    run.font.size = Pt(18)
    _paragraphs(doc, body, empty="")
    period = figures.get("period") or {}
    if period.get("end"):
        doc.add_paragraph(f"统计期：{period.get('start') or '专项整治开始'} 至 {period['end']}。")
    _heading(doc, "一、进度滞后的地区")
    if figures.get("regions"):
        _table(
            doc,
            ["地区", "发现隐患", "未销号", "逾期", "重大未销号", "整改率", "覆盖率", "问题"],
            [
                [
                    r["name"],
                    r["found"],
                    r["open"],
                    r["overdue"],
                    r["major_open"],
                    _pct(r["rectification_rate"]),
                    _pct(r["coverage_rate"]),
                    "；".join(r["reasons"]),
                ]
                for r in figures["regions"]
            ],
        )
    else:
        doc.add_paragraph("无。")
    _heading(doc, "二、存在逾期未整改隐患的部门")
    if figures.get("departments"):
        _table(
            doc,
            ["部门", "逾期隐患", "其中重大隐患"],
            [[d["department"], d["overdue"], d["major_open"]] for d in figures["departments"]],
        )
    else:
        doc.add_paragraph("无。")
    doc.add_paragraph("请被通报的地区和部门于收到通报之日起按要求限期整改，并将整改情况书面报送专班。")
    date_p = doc.add_paragraph(f"{issued_on.year}年{issued_on.month}月{issued_on.day}日")
    date_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
