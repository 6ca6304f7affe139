"""The one table assembler: page tables (rows already split into cells) to the document's RawReport.

Every format that reads a table ends here: the PDF extractors and OCR with a page table per page
(etl.extract.grid.read_page_table), Word, Excel and HTML with one "page" (etl.extract.cell_grid). ``build_report``
matches the first page's header against the templates (etl.extract.template: which column is which field, extra
columns kept), checks every later page's header and width against it, reads a lone undecodable glyph in a status
column as a check mark (noted), and ``join_pages`` joins the rows and merged task cells a page break cut: merged
task cells give their text to the task's first row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.errors import ReportError
from etl.extract.grid import PageRow, PageTable, unmapped_message
from etl.extract.template import ColumnMap, TemplateMismatch, TemplateSet
from etl.extract.template_file import load_templates
from etl.models import COLUMN_NAMES, RawReport, RawRow
from etl.vocabulary import PLAN_TYPE_BY_LABEL, TASK_FIELDS

# What a lone undecodable glyph in a status column is read as.
DECIDED_MARK = "✓"

# The columns of a task rather than of one of its rows (merged over a task's plan rows), by position.
TASK_CELLS: tuple[int, ...] = tuple(COLUMN_NAMES.index(name) for name in TASK_FIELDS)
# Fields whose cell may be a lone undecodable glyph read as a check mark.
STATUS_FIELDS: frozenset[str] = frozenset({"done", "not_done", "status"})
PLAN_KIND = COLUMN_NAMES.index("plan_kind")
TASK_NO = COLUMN_NAMES.index("task_no")


@dataclass
class _RowBuilder:
    """A document row being assembled from one or more page fragments."""

    pages: list[int]
    width: int = len(COLUMN_NAMES)
    parts: list[list[str]] = field(default_factory=list)

    scores: list[list[float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parts = self.parts or [[] for _ in range(self.width)]
        self.scores = self.scores or [[] for _ in range(self.width)]

    def add(self, column: int, text: str, confidence: float | None = None) -> None:
        if text:
            self.parts[column].append(text)
        if confidence is not None:
            self.scores[column].append(confidence)

    def confidence(self) -> tuple[float | None, ...] | None:
        """Each column's lowest OCR confidence over its fragments; None when nothing was recognised by OCR."""
        if not any(self.scores):
            return None
        return tuple(min(s) if s else None for s in self.scores)

    def add_page(self, page: int) -> None:
        if page not in self.pages:
            self.pages.append(page)

    def text(self, column: int) -> str:
        return "\n".join(self.parts[column])


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_incomplete_label(label: str) -> bool:
    """A 季度类别 cell that a page break cut: empty, or only the start of a known row kind (进度安 of 进度安排)."""
    kinds = PLAN_TYPE_BY_LABEL
    return label not in kinds and (not label or any(kind.startswith(label) for kind in kinds))


def join_pages(tables: Sequence[PageTable], *, plan_rows: bool = True) -> list[RawRow]:
    """Join the pages' body rows into document rows, rebuilding rows and task cells split by page breaks.

    The first row under a page's header continues the previous page's last row when its row kind (季度类别) is
    empty or the previous one's was cut (plan rows), or, in a table of one row per task, when its 序号 is empty.
    """
    rows: list[_RowBuilder] = []
    task_row: _RowBuilder | None = None  # the row that opened the current task
    n_extra = max((len(row.extra) for table in tables for row in table.rows), default=0)
    width = len(COLUMN_NAMES) + n_extra
    for table in tables:
        for index, page_row in enumerate(table.rows):
            page_top = index == 0 and bool(rows)
            continues_row = page_top and (
                (not _label(page_row.cells[PLAN_KIND]) or _is_incomplete_label(_label(rows[-1].text(PLAN_KIND))))
                if plan_rows
                else not _label(page_row.cells[TASK_NO])
            )
            if continues_row:
                row = rows[-1]
                row.add_page(table.page)
            else:
                row = _RowBuilder(pages=[table.page], width=width)
                rows.append(row)
            for column, text in enumerate((*page_row.cells, *page_row.extra)):
                if column not in TASK_CELLS:
                    row.add(column, text, _score(page_row, column))
            task_row = _place_task_cells(page_row, row, task_row, page_top, continues_row, table.page)
    return [
        RawRow(
            pages=tuple(row.pages),
            line=number,
            cells=tuple(row.text(c) for c in range(len(COLUMN_NAMES))),
            extra=tuple(row.text(c) for c in range(len(COLUMN_NAMES), width)),
            confidence=row.confidence(),
        )
        for number, row in enumerate(rows, start=1)
    ]


def _score(page_row: PageRow, column: int) -> float | None:
    return page_row.confidence[column] if column < len(page_row.confidence) else None


def _place_task_cells(
    page_row: PageRow,
    row: _RowBuilder,
    task_row: _RowBuilder | None,
    page_top: bool,
    continues_row: bool,
    page: int,
) -> _RowBuilder | None:
    """Put a grid row's task-column text where it belongs and return the row that opened the current task.

    A task cell that starts on a row opens a task (its text may come from the next page); the first row under a page's
    header, though, continues the previous page's task cell when its row continues, when its 序号 is empty,
    or when the task's first row has no 序号 yet (a vertically centred number that fell on this page).
    Continued text is appended to the task's first row, so following rows keep "" in the task columns, and
    that page is added to the first row's pages: part of its text comes from there.
    """
    texts = [page_row.cells[c] for c in TASK_CELLS]
    if not any(page_row.starts[c] for c in TASK_CELLS):
        return task_row
    if not any(texts):
        # An empty task cell at the top of a page is the unprinted rest of the previous page's; one further
        # down opens a task whose vertically centred text a page break pushed onto the next page.
        return task_row if page_top else row
    if page_top and task_row is not None:
        number_missing = not _label(page_row.cells[TASK_CELLS[0]]) or not _label(task_row.text(TASK_CELLS[0]))
        if continues_row or number_missing:
            for column in TASK_CELLS:
                task_row.add(column, page_row.cells[column], _score(page_row, column))
            task_row.add_page(page)
            return task_row
    for column in TASK_CELLS:
        row.add(column, page_row.cells[column], _score(page_row, column))
    return row


# --- The report -------------------------------------------------------------------------------------------------


def build_report(
    data: bytes,
    file_name: str,
    page_count: int,
    tables: Sequence[PageTable],
    notes: Sequence[str],
    templates: TemplateSet | None = None,
    source_format: str = "pdf",
) -> RawReport:
    """The RawReport of a document's page tables, in page order: the first page's header matched against the
    templates (a column decided by content settled on every page's rows), every page's rows mapped to the
    fields, then joined across pages.

    ReportError when no template accepts the header, a page's header or width differs from the first page's, or a
    lone undecodable glyph stands outside a status column.
    """
    if not tables:
        raise ReportError.single(file_name, "no table found: not a task-completion report", page=1)
    templates = templates if templates is not None else load_templates()
    first = tables[0]
    try:
        as_headed = templates.match(first.header_lines or [list(first.header)])
        column_map = as_headed.settled([list(row.cells) for table in tables for row in table.rows])
    except TemplateMismatch as exc:
        raise ReportError.single(file_name, str(exc), page=first.page) from exc
    all_notes = [*notes, *([column_map.decision] if column_map.decision else [])]
    mapped = [_mapped_table(table, column_map, as_headed, templates, file_name, all_notes) for table in tables]
    return RawReport(
        source_file=file_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        source_format=source_format,
        byte_size=len(data),
        page_count=page_count,
        title=first.text_above,
        preamble=tuple(line for line in first.text_above.split("\n") if line.strip()),
        period_header=column_map.period_header,
        header_end_month=column_map.period.end_month if column_map.period else None,
        template=column_map.template.name,
        columns=column_map.mappings(),
        extra_headers=column_map.extra_headers,
        rows=tuple(join_pages(mapped, plan_rows=column_map.plan_rows)),
        notes=tuple(all_notes),
    )


def _mapped_table(
    table: PageTable,
    column_map: ColumnMap,
    as_headed: ColumnMap,
    templates: TemplateSet,
    file_name: str,
    notes: list[str],
) -> PageTable:
    """A page's table with its rows in field order (extra columns apart), its header checked against page 1's
    (``as_headed``: page 1's map before the columns decided by content were settled)."""
    if table.header_lines:
        try:
            page_map = templates.match(table.header_lines)
        except TemplateMismatch as exc:
            raise ReportError.single(file_name, str(exc), page=table.page) from exc
        if page_map.fields != as_headed.fields:
            raise ReportError.single(
                file_name,
                f"this page's header [{', '.join(page_map.headers)}] maps its columns differently from the first "
                f"page's [{', '.join(column_map.headers)}]",
                page=table.page,
            )
    elif table.width != column_map.width:
        found = ", ".join(cell.replace("\n", "") for cell in table.rows[0].cells) if table.rows else ""
        raise ReportError.single(
            file_name,
            f"a table page without a header has {table.width} columns ([{found}]), expected {column_map.width}",
            page=table.page,
        )
    rows = [list(row.cells) for row in table.rows]
    for grid_row, col in table.undecoded:
        name = column_map.fields[col] if col < len(column_map.fields) else None
        header = column_map.headers[col] if col < len(column_map.headers) else f"column {col + 1}"
        if name not in STATUS_FIELDS:
            raise ReportError.single(
                file_name, unmapped_message(f"table row {grid_row + 1}"), page=table.page, column=header
            )
        notes.append(
            f"page {table.page}, table row {grid_row + 1}, column {header}: a status mark drawn with a glyph that "
            f"has no Unicode mapping was read as {DECIDED_MARK} (the cell holds that one mark and nothing else)"
        )
        rows[grid_row - table.header_rows][col] = DECIDED_MARK
    return PageTable(
        page=table.page,
        header=table.header,
        rows=tuple(
            PageRow(
                cells=column_map.canonical(cells),
                starts=column_map.canonical_flags(row.starts),
                extra=column_map.extras(cells),
                confidence=column_map.canonical_scores(row.confidence),
            )
            for cells, row in zip(rows, table.rows, strict=True)
        ),
        text_above=table.text_above,
        width=len(COLUMN_NAMES),
    )
