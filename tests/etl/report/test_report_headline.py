"""The page's headline counts each issuer's tasks under that issuer (issue 22, defect 8, second half).

Before: the title named the issuers of the latest quarter ("市工信局 … 2024年Q3") and the "2024年任务" card counted
every issuer's tasks of the year (34 = 市工信局's 17 and another bureau's 17 that had reported only an earlier
quarter). Reports derived from the real one (issuer and quarter changed in the title and the quarter column).
"""

from __future__ import annotations

from pathlib import Path

from etl.report import write_report
from tests.conftest import REAL_TEXT_DUMP, SQL_DIR, build_warehouse
from tests.etl.report.markup import cards

TEXT = REAL_TEXT_DUMP.read_text(encoding="utf-8")


def other_bureau(folder: Path, quarter: str) -> Path:
    """The real report as 市科技局's, for quarter 二 or 三."""
    text = TEXT.replace("市工信局 2024", "市科技局 2024", 1)
    text = text.replace("三季度完成情况", f"{quarter}季度完成情况", 1).replace("第三季度", f"第{quarter}季度")
    path = folder / f"市科技局_{quarter}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def page_of(folder: Path, files: list[Path]) -> str:
    warehouse = folder / "w.duckdb"
    build_warehouse(warehouse, files)
    return write_report(warehouse, folder / "r.html", sql_dir=SQL_DIR).path.read_text(encoding="utf-8")


def test_another_issuers_earlier_quarter_is_not_counted_under_the_latest_quarters_issuer(tmp_path: Path) -> None:
    page = page_of(tmp_path, [REAL_TEXT_DUMP, other_bureau(tmp_path, "二")])
    assert "<h1>市工信局 政府工作报告任务完成情况 · 2024年三季度</h1>" in page
    assert cards(page)["card-tasks"] == ("2024年任务", "17")  # was 34: 市科技局's tasks under 市工信局's name


def test_two_issuers_of_the_latest_quarter_are_counted_each(tmp_path: Path) -> None:
    page = page_of(tmp_path, [REAL_TEXT_DUMP, other_bureau(tmp_path, "三")])
    assert "<h1>市工信局、市科技局 政府工作报告任务完成情况 · 2024年三季度</h1>" in page
    assert cards(page)["card-tasks"] == ("2024年任务", "市工信局 17 · 市科技局 17")
