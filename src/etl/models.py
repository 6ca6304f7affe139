"""Records that pass between the steps: raw table rows as found, and normalized report rows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from etl.vocabulary import FIELD_LABELS, FIELD_NAMES, TABLE_FIELDS, MetricKind, PeriodKind, PlanType, Status

# The fields a table's columns fill, in canonical order (defined in etl.vocabulary): RawRow.cells follows it.
COLUMNS: tuple[tuple[str, str], ...] = TABLE_FIELDS
COLUMN_NAMES: tuple[str, ...] = FIELD_NAMES
COLUMN_LABELS: dict[str, str] = FIELD_LABELS

__all__ = ["COLUMNS", "COLUMN_LABELS", "COLUMN_NAMES", "MetricKind", "PeriodKind", "PlanType", "Status"]


class RawRow(BaseModel):
    """One table row as found in the source: a cell of raw text per field (COLUMN_NAMES), with where it came from.

    A row that a page break split is one RawRow whose ``pages`` lists every page it spans.
    """

    model_config = ConfigDict(frozen=True)

    pages: tuple[int, ...]
    line: int = Field(description="1-based line in a text dump; 1-based row number within the document for PDFs")
    cells: tuple[str, ...]
    extra: tuple[str, ...] = Field(
        default=(), description="The cells of the extra columns (RawReport.extra_headers), in their order"
    )
    confidence: tuple[float | None, ...] | None = Field(
        default=None,
        description="Per cell, the lowest recognition confidence (0-1) of the OCR text in it (None: nothing "
        "recognised there); None for formats that are not read by OCR",
    )

    def cell(self, name: str) -> str:
        """The cell of a field (COLUMN_NAMES); '' when the table has no column for it."""
        return self.cells[COLUMN_NAMES.index(name)] if len(self.cells) > COLUMN_NAMES.index(name) else ""


class ColumnMapping(BaseModel):
    """How one column of the source table was read: its header as found and the field it names."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(description="0-based column of the source table")
    header: str = Field(description="The column's header lines joined, whitespace removed, e.g. 季度类别")
    field: str | None = Field(description="The canonical column (COLUMN_NAMES) it fills; None for an extra column")


class RawReport(BaseModel):
    """A source file's table, before any interpretation: the text above it, its period column header, the rows."""

    model_config = ConfigDict(frozen=True)

    source_file: str
    source_sha256: str
    source_format: str = Field(description="The format that read the file: one of etl.extract.formats.SOURCE_FORMATS")
    byte_size: int
    page_count: int
    title: str = Field(description="The text above the table, lines joined by spaces (lineage: as found)")
    preamble: tuple[str, ...] = Field(
        default=(),
        description="The lines above the table in reading order (page chrome, a bulletin paragraph, the title): "
        "etl.parse.title finds the title among them; empty when the extractor kept only the title",
    )
    period_header: str = Field(
        default="", description="The header of the period-plan column (第三季度, 1-9月, 进度安排), '' if none"
    )
    rows: tuple[RawRow, ...]
    header_end_month: int | None = Field(
        default=None, description="The end month of the period the period-plan header names (1-9月 → 9), if any"
    )
    template: str | None = Field(default=None, description="The template (data/templates.yaml) the header matched")
    columns: tuple[ColumnMapping, ...] = Field(default=(), description="Each source column and the field it fills")
    extra_headers: tuple[str, ...] = Field(
        default=(), description="Headers of the columns no field takes (备注 …), kept with the raw cells"
    )
    sheet: str | None = Field(default=None, description="The worksheet the table was read from (Excel only)")
    notes: tuple[str, ...] = Field(
        default=(),
        description="What the extractor decided that the file did not say outright (e.g. an undecodable status "
        "mark read as ✓ because of the cell it stands in, text drawn twice and read once), page by page",
    )


class DeclaredMeta(BaseModel):
    """What a user declares about a document whose text does not say it (--issuer/--period, a .meta.yaml sidecar).

    Where the document says it too, the two must agree (etl.parse.title); nothing is ever taken from a file name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str | None = Field(default=None, description="The issuing government or office, e.g. 绍兴市政府")
    period: str | None = Field(default=None, description="Year and period: 2021Q3, 2021H1, 2021M11 or 2021Y")
    synthetic: bool = Field(default=False, description="Demo data derived from a real report (not a real report)")
    note: str | None = Field(default=None, description="Free text: where the document came from, how it was made")

    @property
    def only_synthetic(self) -> bool:
        """Declares the synthetic label and nothing that changes how the document is read."""
        return self.synthetic and self.issuer is None and self.period is None


class ReportMeta(BaseModel):
    """What identifies a report: who issued it, for which year and period; from its title or declared."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    year: int
    period_kind: PeriodKind
    period_end_month: int = Field(ge=1, le=12, description="The period runs from January to this month")
    period_label: str | None = Field(
        description="The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …; None when it was only declared"
    )
    title: str
    revision_label: str | None = Field(
        default=None, description="A re-issue marker in the title such as 修订 (revised), else None"
    )
    synthetic: bool = Field(default=False, description="Demo data derived from a real report, declared as such")
    declared: tuple[str, ...] = Field(
        default=(), description="The fields given by declared metadata (--issuer/--period, a .meta.yaml sidecar)"
    )

    @property
    def quarter(self) -> int | None:
        """The quarter whose end the period reaches (上半年 → 2, 1-9月 → 3, 全年 → 4); None for 1-11月."""
        return self.period_end_month // 3 if self.period_end_month % 3 == 0 else None

    @property
    def period_name(self) -> str:
        """The period for messages: as written, or by its months when it was only declared (1-9月)."""
        return self.period_label or f"1-{self.period_end_month}月"


class TaskRow(BaseModel):
    """One normalized row of a report: a task, or one of its plan rows (进度安排 schedule / 施工图 roadmap).

    Fields a table has no column for are None (a table without a status column has status None, never a guess).
    """

    model_config = ConfigDict(frozen=True)

    task_no: int
    task_title: str
    responsible_units: tuple[str, ...]
    lead_office: str | None
    responsible_people: tuple[str, ...] = ()
    phone: str | None
    plan_type: PlanType | None
    plan_type_label: str | None
    plan_text: str | None = Field(description="The period's plan (第三季度 / 第二季度 / 进度安排 column)")
    annual_target: str | None = Field(default=None, description="The year's target column (攻坚目标任务)")
    status: Status | None
    status_text: str | None
    progress_text: str | None
    source_pages: tuple[int, ...]
    source_line: int


class TaskMetric(BaseModel):
    """A figure found in a report's text, with what it measures (see etl.metrics.grammar)."""

    model_config = ConfigDict(frozen=True)

    metric_no: int = Field(description="1-based position of the metric in the report, in reading order")
    task_no: int
    plan_type: PlanType | None = Field(description="None for targets, which come from the task title")
    kind: MetricKind
    value: float
    unit: str = Field(description="Unit as written: 家, 户, %, 个百分点, 亿元, 万吨/年 …")
    unit_normalized: str
    value_normalized: float = Field(description="value converted to unit_normalized (万元 → 亿元, 三成 → 30 %)")
    comparator: Literal["=", ">=", "<=", "~"]
    direction: Literal["increase", "decrease"] | None
    subject: str = Field(description="The noun phrase the figure counts, e.g. 5G基站")
    period_text: str | None
    clause: str
    source_text: str = Field(description="The figure as written, e.g. 260户以上")
    source_line: int


class Report(BaseModel):
    """A parsed, normalized report ready to load, with its raw form kept for lineage."""

    model_config = ConfigDict(frozen=True)

    meta: ReportMeta
    raw: RawReport
    rows: tuple[TaskRow, ...]
    metrics: tuple[TaskMetric, ...] = ()

    @property
    def has_plan_rows(self) -> bool:
        """Whether each task has plan rows (进度安排 / 施工图) rather than one row."""
        return any(row.plan_type is not None for row in self.rows)

    @property
    def task_count(self) -> int:
        return len({row.task_no for row in self.rows})
