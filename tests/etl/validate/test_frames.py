from __future__ import annotations

import pandas as pd

from etl.models import Report
from etl.validate.frames import (
    ROW_COLUMNS,
    report_frame,
    rows_frame,
    task_count_change_frame,
    tasks_frame,
    title_history_frame,
)


def test_rows_frame_has_one_row_per_task_row_with_the_report_columns(real_report: Report) -> None:
    frame = rows_frame(real_report)
    assert list(frame.columns) == list(ROW_COLUMNS)
    assert len(frame) == 34
    assert set(frame["issuer"]) == {"市工信局"}
    assert set(frame["year"]) == {2024} and set(frame["period_end_month"]) == {9}
    assert set(frame["has_plan_rows"]) == {True} and set(frame["has_status"]) == {True}
    assert str(frame["task_no"].dtype) == "int64"


def test_tasks_frame_lists_the_plan_types_of_each_task(real_report: Report) -> None:
    frame = tasks_frame(real_report)
    assert len(frame) == 17
    assert set(frame["plan_types"]) == {"roadmap,schedule"}
    assert set(frame["row_count"]) == {2}
    without_roadmap = Report(
        meta=real_report.meta,
        raw=real_report.raw,
        rows=tuple(r for r in real_report.rows if (r.task_no, r.plan_type) != (4, "roadmap")),
    )
    plan_types = dict(zip(*(tasks_frame(without_roadmap)[c] for c in ("task_no", "plan_types")), strict=True))
    assert plan_types[4] == "schedule"


def test_report_frame_is_one_row(real_report: Report) -> None:
    assert report_frame(real_report).to_dict("records") == [
        {"issuer": "市工信局", "year": 2024, "period_kind": "quarter", "period_end_month": 9, "task_count": 17}
    ]


def test_frames_of_an_empty_report_keep_their_columns(real_report: Report) -> None:
    empty = Report(meta=real_report.meta, raw=real_report.raw, rows=())
    assert list(rows_frame(empty).columns) == list(ROW_COLUMNS)
    assert tasks_frame(empty).empty and "plan_types" in tasks_frame(empty).columns
    assert report_frame(empty)["task_count"].tolist() == [0]


def test_title_history_pairs_titles_of_the_same_task(real_report: Report) -> None:
    others = pd.DataFrame(
        {
            "task_no": [4, 999],
            "other_period": ["二季度", "二季度"],
            "other_period_end_month": [6, 6],
            "other_title": ["旧标题", "x"],
            "other_report_id": ["a", "a"],
        }
    )
    frame = title_history_frame(real_report, others)
    assert frame.to_dict("records") == [
        {
            "task_no": 4,
            "task_title": "加快推进安庆石化轻烃资源综合利用及高端材料项目",
            "other_period": "二季度",
            "other_period_end_month": 6,
            "other_title": "旧标题",
            "other_report_id": "a",
        }
    ]


def test_task_count_change_compares_with_the_previous_period(real_report: Report) -> None:
    frame = task_count_change_frame(real_report, "二季度", 34)
    assert frame[["period", "previous_period", "previous_task_count", "task_count_ratio"]].to_dict("records") == [
        {"period": "三季度", "previous_period": "二季度", "previous_task_count": 34, "task_count_ratio": 0.5}
    ]
    assert task_count_change_frame(real_report, None, None).empty
