"""Ruling lines to cell boxes: the table grid of a page drawn with lines (PDF drawings, or a scan's lines).

``cells_from_rulings`` makes the cell boxes of a ruled table, merged cells as one box (used by the fast PDF path
and by OCR); ``open_ends`` finds the outer borders a writer left out (used by both PDF extractors: a row
continued at the top of a page with no line above it must not be lost, pdfplumber #720). The boxes then go to
etl.extract.grid.read_page_table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from etl.extract.grid import BBox, GridUnreadable, Ruling

# Ruling lines closer than this are one line (pdfplumber's snap and join tolerance: 3 pt).
SNAP_TOLERANCE = 3.0


def _clusters(values: Iterable[float], tolerance: float) -> list[float]:
    """Representative values of groups of near-equal values (each within ``tolerance`` of the previous)."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(group) / len(group) for group in groups]


def _snap(value: float, anchors: list[float]) -> float:
    return min(anchors, key=lambda anchor: abs(anchor - value))


def _merged_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or nearly touching (SNAP_TOLERANCE) spans joined into one."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + SNAP_TOLERANCE:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def open_ends(rulings: Sequence[Ruling]) -> list[float]:
    """Tops of outer borders a table lacks, wholly or in part, where its vertical lines begin or end.

    A writer that breaks a row or a merged cell across pages may leave out the line above the part on the next
    page, or below the part on the first (LibreOffice Calc draws no bottom border under a merged cell a page
    break cuts). Without it no cell encloses that text and a lines-based table finder drops it or gives it to
    the cell above (pdfplumber #720). The missing border is added across the whole table.
    """
    verticals = [r for r in rulings if not r.horizontal]
    if len(verticals) < 2:
        return []
    left, right = min(r.pos for r in verticals), max(r.pos for r in verticals)
    ends = []
    for y in (min(r.start for r in verticals), max(r.end for r in verticals)):
        spans = _merged_spans([(r.start, r.end) for r in rulings if r.horizontal and abs(r.pos - y) <= SNAP_TOLERANCE])
        if not any(start <= left + SNAP_TOLERANCE and end >= right - SNAP_TOLERANCE for start, end in spans):
            ends.append(y)
    return ends


def cells_from_rulings(rulings: Sequence[Ruling]) -> list[BBox]:
    """The cell boxes of a table drawn with ruling lines, merged cells as one box.

    The distinct x of vertical lines and y of horizontal lines make a grid of boxes; two neighbouring boxes
    are one cell when no line is drawn between them. A cell must be a rectangle closed on all sides: anything
    else means the lines are not a plain ruled table, and GridUnreadable sends the page to the reference.
    """
    extra = [Ruling(True, y, -1e9, 1e9) for y in open_ends(rulings)]
    lines = [*rulings, *extra]
    xs = _clusters((r.pos for r in lines if not r.horizontal), SNAP_TOLERANCE)
    ys = _clusters((r.pos for r in lines if r.horizontal), SNAP_TOLERANCE)
    if len(xs) < 2 or len(ys) < 2:
        raise GridUnreadable("fewer than two vertical or horizontal ruling lines")
    spans_h: dict[float, list[tuple[float, float]]] = {y: [] for y in ys}
    spans_v: dict[float, list[tuple[float, float]]] = {x: [] for x in xs}
    for r in lines:
        if r.horizontal:
            spans_h[_snap(r.pos, ys)].append((max(r.start, xs[0] - 1), min(r.end, xs[-1] + 1)))
        else:
            spans_v[_snap(r.pos, xs)].append((r.start, r.end))
    merged_h = {y: _merged_spans(s) for y, s in spans_h.items()}
    merged_v = {x: _merged_spans(s) for x, s in spans_v.items()}

    def drawn(spans: list[tuple[float, float]], a: float, b: float) -> bool:
        return any(start <= a + SNAP_TOLERANCE and end >= b - SNAP_TOLERANCE for start, end in spans)

    n_cols, n_rows = len(xs) - 1, len(ys) - 1
    # right[i][j]: a line closes box (i, j) on its right; below[i][j]: on its bottom (i = row, j = column).
    right = [[drawn(merged_v[xs[j + 1]], ys[i], ys[i + 1]) for j in range(n_cols)] for i in range(n_rows)]
    below = [[drawn(merged_h[ys[i + 1]], xs[j], xs[j + 1]) for j in range(n_cols)] for i in range(n_rows)]
    left_edge = [drawn(merged_v[xs[0]], ys[i], ys[i + 1]) for i in range(n_rows)]
    top_edge = [drawn(merged_h[ys[0]], xs[j], xs[j + 1]) for j in range(n_cols)]

    boxes: list[BBox] = []
    for members in _regions(right, below).values():
        rows = [i for i, _ in members]
        cols = [j for _, j in members]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        closed = (
            all(right[i][c1] for i in range(r0, r1 + 1))
            and all(below[r1][j] for j in range(c0, c1 + 1))
            and all((left_edge[i] if c0 == 0 else right[i][c0 - 1]) for i in range(r0, r1 + 1))
            and all((top_edge[j] if r0 == 0 else below[r0 - 1][j]) for j in range(c0, c1 + 1))
        )
        if not closed:
            continue  # outside the table: an open area around or between tables
        if len(members) != (r1 - r0 + 1) * (c1 - c0 + 1):
            raise GridUnreadable(f"a cell that is not a rectangle at x={xs[c0]:.1f}, y={ys[r0]:.1f}")
        boxes.append((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    if not boxes:
        raise GridUnreadable("no closed cell between the ruling lines")
    return boxes


def _regions(right: list[list[bool]], below: list[list[bool]]) -> dict[int, list[tuple[int, int]]]:
    """The grid boxes (row, column) grouped into regions: neighbours with no line drawn between them are one."""
    n_rows, n_cols = len(right), len(right[0])
    owner = list(range(n_rows * n_cols))

    def find(k: int) -> int:
        while owner[k] != k:
            owner[k] = owner[owner[k]]
            k = owner[k]
        return k

    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not right[i][j]:
                owner[find(i * n_cols + j + 1)] = find(i * n_cols + j)
            if i + 1 < n_rows and not below[i][j]:
                owner[find((i + 1) * n_cols + j)] = find(i * n_cols + j)
    regions: dict[int, list[tuple[int, int]]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            regions.setdefault(find(i * n_cols + j), []).append((i, j))
    return regions
