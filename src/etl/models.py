"""Records that pass between the steps: raw table rows as found, and normalized report rows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from etl.vocabulary import TASK_COLUMN_LABELS, TASK_COLUMN_NAMES, TASK_COLUMNS, MetricKind, PlanType, Status

# The bureau's nine columns (defined in etl.vocabulary; these names are kept for the modules that use them).
COLUMNS: tuple[tuple[str, str], ...] = TASK_COLUMNS
COLUMN_NAMES: tuple[str, ...] = TASK_COLUMN_NAMES
COLUMN_LABELS: dict[str, str] = TASK_COLUMN_LABELS

# scan: page images (an image-only PDF, or PNG/JPEG/TIFF files) read by OCR (etl.extract.ocr).
SourceFormat = Literal["text", "pdf", "docx", "xlsx", "scan", "html"]
__all__ = ["COLUMNS", "COLUMN_LABELS", "COLUMN_NAMES", "MetricKind", "PlanType", "SourceFormat", "Status"]


class RawRow(BaseModel):
    """One table row as found in the source: nine cells of raw text, with where it came from.

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
        return self.cells[COLUMN_NAMES.index(name)]


class ColumnMapping(BaseModel):
    """How one column of the source table was read: its header as found and the field it names."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(description="0-based column of the source table")
    header: str = Field(description="The column's header lines joined, whitespace removed, e.g. 季度类别")
    field: str | None = Field(description="The canonical column (COLUMN_NAMES) it fills; None for an extra column")


class RawReport(BaseModel):
    """A source file's table, before any interpretation: title, the quarter column header and the body rows."""

    model_config = ConfigDict(frozen=True)

    source_file: str
    source_sha256: str
    source_format: SourceFormat
    byte_size: int
    page_count: int
    title: str
    quarter_header: str = Field(description="The header of the quarter-plan column, e.g. 第三季度")
    rows: tuple[RawRow, ...]
    header_quarter: int | None = Field(
        default=None, description="The quarter the quarter column's header names (1-9月 → 3), from the template"
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


class ReportMeta(BaseModel):
    """What identifies a report: who issued it and for which year and quarter, read from its own title."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    year: int
    quarter: int
    title: str
    revision_label: str | None = Field(
        default=None, description="A re-issue marker in the title such as 修订 (revised), else None"
    )


class TaskRow(BaseModel):
    """One normalized row of a report: one task and one plan type (进度安排 schedule / 施工图 roadmap)."""

    model_config = ConfigDict(frozen=True)

    task_no: int
    task_title: str
    responsible_units: tuple[str, ...]
    lead_office: str | None
    phone: str | None
    plan_type: PlanType
    plan_type_label: str
    plan_text: str
    status: Status
    status_text: str
    progress_text: str
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
    def task_count(self) -> int:
        return len({row.task_no for row in self.rows})
