"""A small grammar for the figures in report text: which are metrics, and what each one measures.

A metric is a number directly followed by a unit of measure (260户, 31.3%, 30万吨/年, 两个): value, unit,
comparator (以上 → >=, 以下/以内 → <=, 约/左右 → ~, 余 → >=, else =), direction (增长 → increase,
下降 → decrease), the noun phrase it counts (subject), period words (1-8月份, 前三季度, 今年以来) and its clause.

Everything else that looks like a number is deliberately not a metric, and says why:
- ``list_item``: item numbering (1. 2. …);
- ``year`` / ``date`` / ``period``: 2024年, 7月4日, 1-8月份, 三季度;
- ``ordinal``: 第3, 第一批, 第三方;
- ``name``: figures inside a quoted name (“五个一百”, 《…》, “年产300万只…项目”): part of a name, not a measure;
- ``code``: a number that is part of a term such as 5G;
- ``duration``: 3个月;
- ``size``: an amount that says how large each counted thing is, not how much was done (20个20亿元工业项目: twenty
  projects of 2 billion yuan each; 10亿元以上项目);
- ``no_unit``: a bare number with no unit (phone numbers included);
- ``idiom``: Chinese numerals used as words (一批, 进一步, 一期, 百亿级, 千名干部) — they are never followed by a
  unit of measure, so the grammar does not read them as numbers; they are reported for completeness.

Chinese numerals are converted with cn2an only once the grammar has found a numeral followed by a unit: cn2an
alone also turns 一批 into 1批 and 三成 into 3成.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import cn2an

from etl.metrics.measure import MEASURE_UNITS, UNIT_BY_WRITTEN

Comparator = Literal["=", ">=", "<=", "~"]
Direction = Literal["increase", "decrease"]
Reason = Literal[
    "list_item", "year", "date", "period", "ordinal", "name", "code", "duration", "size", "no_unit", "idiom"
]

_CN_DIGITS = "一二两三四五六七八九十"
_CN_NUMERAL = f"[{_CN_DIGITS}][{_CN_DIGITS}百千万零〇]*"
_UNITS = "|".join(re.escape(unit.written) for unit in MEASURE_UNITS)
_NUMBER = re.compile(r"\d+(?:\.\d+)?|" + f"[{_CN_DIGITS}百千万亿零〇]+")
_UNIT_AFTER = re.compile(rf"(?P<approx>余|多)?(?P<unit>{_UNITS})(?P<suffix>以上|以下|以内|左右)?")
_ITEM_MARKER = re.compile(r"^\s*\d{1,2}[.．]\s*")
_NAME_SPANS = re.compile(r"“[^“”]*”|\"[^\"]*\"|《[^《》]*》|「[^「」]*」")
_PERIOD = re.compile(
    r"\d{1,2}\s*-\s*\d{1,2}\s*月份?|\d{1,2}月份|前[一二三四]季度|第?[一二三四1-4]季度|今年以来|年初以来|上半年|下半年|全年"
    r"|截至目前|截止目前|截至\d{1,2}月底?"
)
# An amount that sizes the things counted: right after a count (20个20亿元工业项目), or a size class (10亿元以上项目).
_COUNT_BEFORE = re.compile(r"\d+(?:\.\d+)?\s*[个家户项]$")
_SIZE_CLASS_AFTER = re.compile(r"(?:以上|以下)?的?[\u4e00-\u9fff]{0,4}?项目")
_AMOUNT_UNITS = ("元", "万元", "亿元", "万亿元")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_END = re.compile(r"[。；;！!？?\n，,：:（）()]")
_PHRASE_END = re.compile(r"[。；;！!？?\n，,：:、]")

_PREFIX_COMPARATORS: tuple[tuple[str, Comparator], ...] = (
    ("不低于", ">="),
    ("不少于", ">="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("超过", ">="),
    ("大约", "~"),
    ("约", "~"),
    ("近", "~"),
    ("逾", ">="),
)
_SUFFIX_COMPARATORS: dict[str, Comparator] = {"以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}
_INCREASE = ("同比增长", "增长", "提高", "提升", "上升", "增加", "高于", "增幅")
_DECREASE = ("同比下降", "下降", "降低", "减少", "低于", "压减", "下降了")
# Verbs and function words that end the subject phrase before a figure: the subject starts after the last one.
_VERBS = (
    "新增",
    "新建",
    "建成",
    "培育",
    "推动实施",
    "实施",
    "入选",
    "打造",
    "认定",
    "开展",
    "完成",
    "共有",
    "共计",
    "累计",
    "共",
    "为",
    "获得",
    "签约",
    "遴选",
    "对",
    "给",
    "引进",
    "招引",
    "争取",
    "推进",
    "清偿",
    "发现",
    "上报",
    "举办",
    "组织",
    "实现",
    "增用",
    "利用",
)
# Words after a figure where the phrase it counts ends (认定126户创新型中小企业 | 申报 …).
_AFTER_STOPS = ("参加", "参与", "开展", "申报", "上报", "入选", "竣工", "服务", "建设", "全覆盖", "达到", "达")
_TRAILING = re.compile(
    r"(?:同比增长|同比下降|增长|下降|提高|降低|已达|达到|达|为|约|近|超过|不低于|不少于|同比|的|了|已|共计|共)+$"
)
_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_RELATIVE = re.compile(r"(高于|超过|低于)[^，,。；;]{0,8}$")
_LEADING_NOISE = re.compile(r"^(?:\d{4}年(?:度)?|今年|本年|全年|已|全市|全省|全国|累计|同比|共|其中)+")


@dataclass(frozen=True)
class Metric:
    """A figure that measures something."""

    value: float
    unit: str
    unit_normalized: str
    value_normalized: float
    comparator: Comparator
    direction: Direction | None
    subject: str
    period_text: str | None
    clause: str
    source_text: str


@dataclass(frozen=True)
class Figure:
    """A number-like token in the text, with the metric it is or the reason it is not one."""

    text: str
    start: int
    metric: Metric | None
    reason: Reason | None


def figures(text: str) -> list[Figure]:
    """Every number-like token of a cell's text, classified, in order. Line by line; item markers first."""
    found: list[Figure] = []
    offset = 0
    for line in text.split("\n"):
        marker = _ITEM_MARKER.match(line)
        if marker:
            found.append(Figure(marker.group().strip(), offset, None, "list_item"))
        body_start = marker.end() if marker else 0
        # Blank the marker (same length) so clause and subject never start with "4."
        found.extend(_line_figures(" " * body_start + line[body_start:], body_start, offset))
        offset += len(line) + 1
    return found


def extract_metrics(text: str) -> list[Metric]:
    """The metrics of a cell's text, in order."""
    return [figure.metric for figure in figures(text) if figure.metric is not None]


def _line_figures(line: str, start: int, offset: int) -> list[Figure]:
    names = [match.span() for match in _NAME_SPANS.finditer(line)]
    periods = [match.span() for match in _PERIOD.finditer(line)]
    result: list[Figure] = []
    consumed = start
    for match in _NUMBER.finditer(line, start):
        token, pos, end = match.group(), match.start(), match.end()
        if pos < consumed:  # the 万 of 30万吨/年 belongs to the figure before it
            continue
        reason = _reason_not_metric(line, token, pos, end, names, periods)
        if reason is not None:
            unit_match = _UNIT_AFTER.match(line, end)
            if reason in ("name", "size") and unit_match:  # 300万只 in a name, 20亿元 a size: 万, 亿 are no figure
                consumed = unit_match.end()
            result.append(Figure(token, offset + pos, None, reason))
            continue
        unit_match = _UNIT_AFTER.match(line, end)
        assert unit_match is not None  # _reason_not_metric checked it
        try:
            metric = _metric(line, token, pos, unit_match)
        except ValueError:  # not a well-formed numeral (二十十, 十百): words, not a number
            result.append(Figure(token, offset + pos, None, "idiom"))
            continue
        consumed = unit_match.end()
        result.append(Figure(line[pos : unit_match.end()], offset + pos, metric, None))
    return result


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _reason_not_metric(
    line: str, token: str, pos: int, end: int, names: list[tuple[int, int]], periods: list[tuple[int, int]]
) -> Reason | None:
    before = line[pos - 1] if pos > 0 else ""
    after = line[end : end + 2]
    if _inside(pos, periods):
        return "period"
    if before == "第":
        return "ordinal"
    if token[0].isdigit():
        if after.startswith("年"):
            return "year"
        if after.startswith(("月", "日", "号")):
            return "date"
        if after[:1].isascii() and after[:1].isalpha():
            return "code"
    elif token[0] not in _CN_DIGITS:
        return "idiom"  # 百亿级, 千名, 千兆: magnitude words, not counts
    unit = _UNIT_AFTER.match(line, end)
    if _inside(pos, names):
        return "name"
    if unit is None:
        return "no_unit" if token[0].isdigit() else "idiom"
    if unit.group("unit") == "个" and line.startswith(("月", "工作日", "小时"), unit.end()):
        return "duration"
    after_unit = unit.end("unit")
    if unit.group("unit") in _AMOUNT_UNITS and (
        _COUNT_BEFORE.search(line, 0, pos) or _SIZE_CLASS_AFTER.match(line, after_unit)
    ):
        return "size"
    return None


def _number_value(token: str) -> float:
    if token[0].isdigit():
        return float(token)
    return float(cn2an.cn2an(token, "smart"))


def _metric(line: str, token: str, pos: int, unit_match: re.Match[str]) -> Metric:
    unit = UNIT_BY_WRITTEN[unit_match.group("unit")]
    value = _number_value(token)
    clause_start, clause_end = _bounds(line, pos, _CLAUSE_END)
    sentence_start, _ = _bounds(line, pos, _SENTENCE_END)
    if line[clause_start:pos].lstrip().startswith("其中") and clause_start > sentence_start:
        # 其中 (of which): a part of what the clause before counts, so that clause belongs to it (…测评达2003家，
        # 其中达到二级及以上企业1549家: 1549 of the firms assessed)
        clause_start, _ = _bounds(line, clause_start - 1, _CLAUSE_END)
    prefix = line[clause_start:pos]
    return Metric(
        value=value,
        unit=unit.written,
        unit_normalized=unit.normalized,
        value_normalized=round(value * unit.scale, 6),
        comparator=_comparator(prefix, unit_match),
        direction=_direction(prefix),
        subject=_subject(line, pos, unit_match.end()),
        period_text=_period(line[sentence_start:pos]),
        clause=line[clause_start:clause_end].strip(),
        source_text=line[pos : unit_match.end()],
    )


def _bounds(line: str, pos: int, boundary: re.Pattern[str]) -> tuple[int, int]:
    start = 0
    for match in boundary.finditer(line, 0, pos):
        start = match.end()
    end_match = boundary.search(line, pos)
    return start, end_match.start() if end_match else len(line)


def _comparator(prefix: str, unit_match: re.Match[str]) -> Comparator:
    for word, comparator in _PREFIX_COMPARATORS:
        if prefix.endswith(word):
            return comparator
    if unit_match.group("suffix"):
        return _SUFFIX_COMPARATORS[unit_match.group("suffix")]
    if unit_match.group("approx"):
        return ">="  # 1800余份: more than 1800
    return "="


def _direction(prefix: str) -> Direction | None:
    relative = _RELATIVE.search(prefix)  # 高于全省平均5.2个百分点
    if relative:
        return "decrease" if relative.group(1) == "低于" else "increase"
    tail = re.sub(r"(?:了|约|近|达到|达|为|超过)$", "", prefix)[-6:]
    if any(tail.endswith(word) for word in _DECREASE):
        return "decrease"
    if any(tail.endswith(word) for word in _INCREASE):
        return "increase"
    return None


def _period(text_before: str) -> str | None:
    matches = _PERIOD.findall(text_before)
    return re.sub(r"\s+", "", matches[-1]) if matches else None


def _subject(line: str, pos: int, unit_end: int) -> str:
    """The noun phrase the figure counts: before the figure (新建5G基站1000个), else after it (认定126户创新型企业)."""
    phrase_start, _ = _bounds(line, pos, _PHRASE_END)
    before = _strip_phrase(line[phrase_start:pos])
    if before and not before.endswith("等"):
        return before
    _, phrase_end = _bounds(line, unit_end, _PHRASE_END)
    after = _PAREN.sub("", line[unit_end:phrase_end])
    after = re.sub(rf"^(?:以上|以下|以内|左右|余)?(?:\d+(?:\.\d+)?(?:{_UNITS}))?", "", after)
    cuts = [index for index in (after.find(stop) for stop in _AFTER_STOPS) if index >= 0]
    if cuts:
        after = after[: min(cuts)]
    rate = after.find("率")  # 100个重点技术改造项目开工率: the figure counts the projects, not the rate
    if rate >= 2:
        after = after[: rate - 2]
    return after.strip(" )）")


def _strip_phrase(text: str) -> str:
    """The subject part of the text before a figure: no period words, verbs, comparators or leading noise."""
    text = _PAREN.sub("", _PERIOD.sub("", text))
    text = _TRAILING.sub("", text)
    if re.search(rf"\d(?:{_UNITS})$", text):  # 等20个20亿元: the phrase before is another figure
        return ""
    cut = 0
    for verb in _VERBS:
        index = text.rfind(verb)
        if index >= 0:
            cut = max(cut, index + len(verb))
    subject = _TRAILING.sub("", text[cut:])
    subject = re.sub(rf"^\d+(?:\.\d+)?(?:{_UNITS})", "", subject)  # 100个重点技术改造项目开工率
    return _LEADING_NOISE.sub("", subject).strip(" （(")
