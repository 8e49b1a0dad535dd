"""`gasguard rules check` and `gasguard rules export`."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gasguard.rules.catalog import get_catalog


def test_check_prints_version_and_counts():
    out = io.StringIO()
    call_command("rules", "check", stdout=out)
    text = out.getvalue()
    assert f"OK version={get_catalog().version}" in text
    assert "plan_2_4_restaurant.yaml:" in text and "hose 问题软管:" in text and "major 重大隐患:" in text


def test_check_with_bad_override_fails_with_file_and_line(tmp_path):
    path = tmp_path / "city.yaml"
    path.write_text("rules:\n  - id: rest_hose_over_2m\n    override: true\n    answer: {threshold: 2.5}\n")
    with pytest.raises(CommandError, match=r"city.yaml:2: rest_hose_over_2m: .*宽松"):
        call_command("rules", "check", "--override", str(path))
    path.write_text("rules:\n  - id: rest_hose_over_2m\n    override: true\n    answer: {threshold: 1.5}\n")
    out = io.StringIO()
    call_command("rules", "check", "--override", str(path), stdout=out)
    assert "override=city.yaml tightened=rest_hose_over_2m" in out.getvalue()


def test_export_writes_a_workbook(tmp_path):
    target = tmp_path / "rules.xlsx"
    call_command("rules", "export", "--out", str(target), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == len(get_catalog().rules) + 2
