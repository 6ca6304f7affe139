"""The OCR engine: RapidOCR on ONNX Runtime, a page's text lines with their boxes and character positions.

Engine: RapidOCR (``rapidocr-onnxruntime`` 1.4.4, Apache-2.0), whose wheel ships PaddleOCR's PP-OCRv4 Chinese
detection and recognition models (about 15 MB): nothing is downloaded at run time. Chosen by measurement against
Tesseract 5 with Debian's chi_sim (benchmarks/ocr.py, benchmarks/results/ocr.md).

What the recogniser writes is corrected only where the page itself says what was printed: full- or half-width
punctuation by the space it takes, and a bracket by the one it pairs with in the same line.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from etl.extract.grid import BBox, Char
from etl.extract.ocr_image import Grey
from etl.extract.ocr_layout import LineCrop

# Lines the recogniser is less sure of than this are still kept (the quality gate warns about low cells); only
# detections below DROP_SCORE, which are noise in practice, are dropped.
DROP_SCORE = 0.3
# Punctuation that has a full- and a half-width form; see punctuation_width.
FULL_TO_HALF = {"，": ",", "（": "(", "）": ")", "；": ";", "：": ":"}
HALF_TO_FULL = {half: full for full, half in FULL_TO_HALF.items()}
HALF_WIDTH_SPAN = 1.7


@dataclass
class OcrLine:
    text: str
    box: BBox  # points
    score: float  # the recogniser's confidence for the line (mean over its characters)
    centres: list[float] | None = None  # each character's x centre (points), when the recogniser gave it


_engine_lock = threading.Lock()
_engine_instance: Any = None


# Line crops the recogniser reads per model run. One: each line at its own width. In a batch every line is padded
# to the widest of its batch (and to at least 320 px): the 65 line crops of the real report's page 2 at 150 dpi,
# recognised four times each way in one process on one intra-op thread, took 2.7-3.2 s of CPU in batches of 12
# and 1.75 s one by one, every line read the same (issue 21's speed item; the whole command's ratio to the
# born-digital PDF is benchmarks/results/ocr_speed.md).
REC_BATCH = 1


def engine() -> Any:
    """The process's RapidOCR (the wheel's models, loaded once; ONNX Runtime sessions are safe to run from
    several threads), one intra-op thread per run: the parallelism is by page."""
    global _engine_instance
    with _engine_lock:
        if _engine_instance is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine_instance = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, rec_batch_num=REC_BATCH)
        return _engine_instance


def recognise_crops(grey: Grey, crops: Sequence[LineCrop], dpi: float) -> list[OcrLine]:
    """Read each line crop of a page (pixels, from etl.extract.ocr_layout); boxes and positions in points."""
    ocr = engine()
    to_pt = 72.0 / dpi
    images = [np.ascontiguousarray(np.repeat(grey[c.y0 : c.y1, c.x0 : c.x1, None], 3, axis=2)) for c in crops]
    if not images:
        return []
    results, _elapsed = ocr.text_rec(images, True)
    lines = []
    for crop, (text, score, info) in zip(crops, results, strict=True):
        if float(score) < DROP_SCORE or not str(text).strip():
            continue
        box = (crop.box[0] * to_pt, crop.box[1] * to_pt, crop.box[2] * to_pt, crop.box[3] * to_pt)
        centres = char_centres(str(text), info, crop.x1 - crop.x0, crop.x0, to_pt)
        column = ctc_column(info, crop.x1 - crop.x0, to_pt)
        text = pair_brackets(punctuation_width(str(text), centres, column))
        lines.append(OcrLine(text, box, float(score), centres))
    return lines


def char_centres(text: str, info: Any, crop_width: int, left: float, to_pt: float) -> list[float] | None:
    """Each character's x centre on the page (points) from the recogniser's CTC columns, or None."""
    try:
        columns = [c for word in info[2] for c in word]
        chars = "".join(ch for word in info[1] for ch in word)
        unit = crop_width / float(info[0])
    except (IndexError, TypeError, ZeroDivisionError):
        return None
    if chars != text or len(columns) != len(text):
        return None
    return [(left + (column + 0.5) * unit) * to_pt for column in columns]


def ctc_column(info: Any, crop_width: int, to_pt: float) -> float:
    """The width (points) of one of the recogniser's output columns: how finely it places a character; 0 unknown."""
    try:
        return crop_width / float(info[0]) * to_pt
    except (IndexError, TypeError, ValueError, ZeroDivisionError):
        return 0.0


def is_unified_ideograph(ch: str) -> bool:
    """A CJK unified ideograph of the basic block (U+4E00-9FFF): one em wide, what punctuation widths are measured
    against. Deliberately narrower than etl.normalize.text.is_ideographic (which adds extension A and compatibility
    ideographs) and its spacing class (CJK punctuation, full-width forms too)."""
    return "\u4e00" <= ch <= "\u9fff"


def punctuation_width(text: str, centres: list[float] | None, column: float = 0.0) -> str:
    """Full- or half-width punctuation decided by the space it takes where that is measured clearly.

    The recogniser may write ，（）；： after Chinese text where , ( ) ; : was printed (the real report uses both,
    39 half-width commas among its full-width ones). A full-width mark takes a whole em: the characters either
    side of it are about two CJK advances apart; a half-width one about 1.2–1.4 (measured on the scans: 1.17–1.6
    against 1.83–2.2). The positions are the recogniser's output columns (``column`` points apart, a third of an
    advance or so), so a span within one column of the limit is not a measurement: there the recogniser's own
    form stands (the scan matrix: 5/3 of an advance held 24 full-width marks and 10 half-width ones, each written
    in its printed form, and made 24 of them half width when measured). Marks at a line's end, where nothing is
    measured, follow the line's measured marks if any.
    """
    if centres is None or len(text) < 3:
        return text
    advances = [
        centres[i + 1] - centres[i]
        for i in range(len(text) - 1)
        if is_unified_ideograph(text[i]) and is_unified_ideograph(text[i + 1])
    ]
    if len(advances) < 2:
        return text
    advance = float(np.median(advances))
    out = list(text)
    decided: list[bool] = []  # True: half width
    undecided: list[int] = []
    for k, ch in enumerate(text):
        if ch not in FULL_TO_HALF and ch not in HALF_TO_FULL:
            continue
        if 0 < k < len(text) - 1:
            span, limit = centres[k + 1] - centres[k - 1], HALF_WIDTH_SPAN * advance
            if abs(span - limit) <= column:
                continue  # within the positions' resolution: as the recogniser read it
            half = span < limit
            out[k] = _width_form(ch, half)
            decided.append(half)
        else:
            undecided.append(k)
    if decided and undecided:
        half = sum(decided) * 2 > len(decided)
        for k in undecided:
            out[k] = _width_form(text[k], half)
    return "".join(out)


def _width_form(ch: str, half: bool) -> str:
    if half:
        return FULL_TO_HALF.get(ch, ch)
    return HALF_TO_FULL.get(ch, ch)


def pair_brackets(text: str) -> str:
    """A bracket pair of mixed kinds is made lenticular: the recogniser reads 【中小办】 (the lead office) as
    【中小办] (seen at 150 dpi, confidence 0.93) or [中小办】; a report prints matching pairs."""
    out = list(text)
    opened: int | None = None
    for k, ch in enumerate(text):
        if ch in "【[":
            opened = k
        elif ch in "】]" and opened is not None:
            if (text[opened], ch) in (("【", "]"), ("[", "】")):
                out[opened], out[k] = "【", "】"
            opened = None
    return "".join(out)


# A bracket the recogniser opened and never closed: the closers of each opener, and the glyphs a closing bracket
# is misread as. Seen: 】 read as 1 in 【重点办】 and 【运行办】 (WenQuanYi Zen Hei, pdftoppm 200 dpi colour and
# Ghostscript 300 dpi 1-bit, confidence 0.78), and as ！ when that scan is read at 200 dpi; l I | ] 」 ! are the
# same thin upright stroke.
_CLOSERS = {"【": "】]", "（": "）)", "(": ")）"}
_CLOSER_LOOKALIKES = frozenset("1lI|]」!！")
# What may follow a bracket's last character: the cell's end, a line break or space, a list separator.
_AFTER_CONTENT = frozenset("、，,；;。")


def close_misread_brackets(text: str) -> str:
    """A closing bracket misread as a thin upright glyph (】 as 1) restored, in a cell read by OCR only.

    The glyph is taken for the closing bracket only where nothing else can be meant: its opener (【 （ ( ) has no
    closer in the cell before the next opener of the same kind; the glyph ends the bracket's words (the cell's
    end, a line break, a space or a list separator follows); it follows a Chinese character (on the same line
    or, where the cell wrapped just before the bracket, at the end of the line above); and the bracket
    holds no digit before it (【2024年1 may be a number that lost its bracket, and is left as read). Anything
    else — a closed pair, （1, （含1个区, 【重点办】1 — is left as the recogniser wrote it."""
    out = list(text)
    for k, ch in enumerate(text):
        closers = _CLOSERS.get(ch)
        if closers is None:
            continue
        end = text.find(ch, k + 1)
        run = text[k + 1 : end if end >= 0 else len(text)]
        if any(c in run for c in closers):
            continue
        for j, glyph in enumerate(run):
            if glyph not in _CLOSER_LOOKALIKES or j == 0:
                continue
            ends_words = j + 1 == len(run) or run[j + 1].isspace() or run[j + 1] in _AFTER_CONTENT
            before = run[:j].rstrip()  # a cell's lines: the bracket wraps alone onto the next line (【重点办 / 1)
            if ends_words and before and is_unified_ideograph(before[-1]) and not any(c.isdigit() for c in before):
                out[k + 1 + j] = closers[0]
            break
    return "".join(out)


_DOUBLE_QUOTES = frozenset('"“”')


def pair_quotes(text: str) -> str:
    """Double quotes in Chinese text made an opening “ and a closing ” in turn, in a cell read by OCR only.

    The recogniser writes " for WenQuanYi's “ and ” and now and then “ for ” (the scan matrix's two WenQuanYi
    combinations: 9 of their first 24 differences); Chinese text quotes with “…” pairs, which do not nest (an
    inner quote is ‘…’). Only where the reading is whole and Chinese: an even number of double quotes, each
    beside a Chinese character; a cell that lost a quote, or quotes around Latin text, is left as read."""
    places = [k for k, ch in enumerate(text) if ch in _DOUBLE_QUOTES]
    if not places or len(places) % 2:
        return text

    def beside_chinese(k: int) -> bool:
        return any(0 <= j < len(text) and is_unified_ideograph(text[j]) for j in (k - 1, k + 1))

    if not all(beside_chinese(k) for k in places):
        return text
    out = list(text)
    for n, k in enumerate(places):
        out[k] = "“" if n % 2 == 0 else "”"
    return "".join(out)


def line_chars(line: OcrLine) -> list[Char]:
    """A recognised line as characters: placed at the recogniser's positions when known, else spread evenly
    over the line's box; each reaches half-way to its neighbours, so no gap inside a line reads as a space."""
    x0, top, x1, bottom = line.box
    text = line.text
    size = (bottom - top) * 0.8
    n = len(text)
    if line.centres is not None and len(line.centres) == n and n > 1:
        c = line.centres
        edges = [x0, *[(c[i] + c[i + 1]) / 2 for i in range(n - 1)], x1]
    else:
        width = (x1 - x0) / max(1, n)
        edges = [x0 + i * width for i in range(n + 1)]
    return [
        Char(ch, edges[i], max(edges[i + 1], edges[i] + 0.01), top, bottom, size, confidence=line.score)
        for i, ch in enumerate(text)
    ]
