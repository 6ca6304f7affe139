from __future__ import annotations

import pytest

from etl.metrics.grammar import Metric, extract_metrics, figures


def only(text: str) -> Metric:
    metrics = extract_metrics(text)
    assert len(metrics) == 1, metrics
    return metrics[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "normalized", "comparator"),
    [
        ("新增规上工业企业260户以上", 260, "户", "家", ">="),
        ("技改投资增长15%以上", 15, "%", "%", ">="),
        ("高于全省平均5.2个百分点", 5.2, "个百分点", "pp", "="),
        ("协议投资总额1316.79亿元", 1316.79, "亿元", "亿元", "="),
        ("利用异丁烯资源约20万吨/年", 20, "万吨/年", "万吨/年", "~"),
        ("能耗控制在3%以内", 3, "%", "%", "<="),
        ("产值增长10%左右", 10, "%", "%", "~"),
        ("宣传手册1800余份", 1800, "份", "份", ">="),
        ("建成两个示范园区", 2, "个", "个", "="),
        ("新增一百家企业", 100, "家", "家", "="),
    ],
)
def test_value_unit_and_comparator(text: str, value: float, unit: str, normalized: str, comparator: str) -> None:
    metric = only(text)
    assert (metric.value, metric.unit, metric.unit_normalized, metric.comparator) == (
        value,
        unit,
        normalized,
        comparator,
    )


def test_units_are_normalized_with_their_scale() -> None:
    assert only("清偿账款5000万元").value_normalized == 0.5
    share = only("占比达到三成")
    assert (share.value, share.unit, share.value_normalized, share.unit_normalized) == (3, "成", 30, "%")


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("技改投资同比增长31.3%", "increase"),
        ("单位工业增加值能耗下降3.2%", "decrease"),
        ("高于全省平均5.2个百分点", "increase"),
        ("低于全国平均1.5个百分点", "decrease"),
        ("新建5G基站1000个", None),
    ],
)
def test_direction(text: str, direction: str | None) -> None:
    assert only(text).direction == direction


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("2024年已新建5G基站1152个", "5G基站"),
        ("新增规上工业企业260户以上", "规上工业企业"),
        ("1-8月份全市技术改造投资同比增长31.3%", "技术改造投资"),
        ("共认定126户创新型中小企业", "创新型中小企业"),
        ("行政村5G通达率达95%", "行政村5G通达率"),
        ("完成新建5G基站(含室分)1000个目标任务", "5G基站"),
        ("100个重点技术改造项目开工率达到70%", "重点技术改造项目开工率"),
    ],
)
def test_subject_is_the_noun_phrase_counted(text: str, subject: str) -> None:
    assert extract_metrics(text)[-1].subject == subject


def test_period_words_and_clause() -> None:
    metric = only("1-8月份，通报全市新签约亿元以上项目357个，协议投资总额高")
    assert metric.period_text == "1-8月份"
    assert metric.clause == "通报全市新签约亿元以上项目357个"
    assert only("前三季度推动实施重点技术改造项目99个").period_text == "前三季度"
    assert only("今年以来共收省转办投诉件9起").period_text == "今年以来"


@pytest.mark.parametrize(
    ("text", "token", "reason"),
    [
        ("计划2025年下半年建成投产", "2025", "year"),
        ("7月4日，为推动企业", "7", "date"),
        ("1-8月份全市", "8", "period"),
        ("前三季度", "三", "period"),
        ("数量居全省第3", "3", "ordinal"),
        ("第一批创新型中小企业", "一", "ordinal"),
        ("入选“五个一百”名单", "五", "name"),
        ("已开工“年产300万只毫米波雷达项目”", "300", "name"),
        ("新建5G基站", "5", "code"),
        ("用时3个月", "3", "duration"),
        ("联系电话5515812", "5515812", "no_unit"),
        ("培育一批企业", "一", "idiom"),
        ("打造百亿级企业", "百亿", "idiom"),
    ],
)
def test_figures_that_are_not_metrics_say_why(text: str, token: str, reason: str) -> None:
    found = [figure for figure in figures(text) if figure.text == token]
    assert found and found[0].reason == reason and found[0].metric is None
    assert extract_metrics(text) == []


def test_item_numbers_are_not_metrics_and_do_not_leak_into_subjects() -> None:
    text = "1.新建5G基站1000个。\n4.行政村5G通达率已达98%。"
    assert [f.reason for f in figures(text) if f.metric is None and f.text.endswith(".")] == ["list_item", "list_item"]
    assert [m.subject for m in extract_metrics(text)] == ["5G基站", "行政村5G通达率"]


def test_a_figure_with_a_multiplier_unit_is_one_figure() -> None:
    assert [f.text for f in figures("已立项实施30万吨/年MTBE项目，项目投资3亿元")] == ["30万吨/年", "3亿元"]


def test_malformed_chinese_numerals_are_words_not_numbers() -> None:
    assert extract_metrics("二十十个") == []
    assert [f.reason for f in figures("十百家")] == ["idiom"]


@pytest.mark.parametrize(
    "text",
    [
        "推进衡川电池隔膜、国轩二期、集泰新材料等20个20亿元工业项目竣工投产",  # the real report's task 18
        "新签约10亿元以上项目5个",
        "开工建设3个5000万元以上的工业项目",
    ],
)
def test_an_amount_that_sizes_the_things_counted_is_no_figure(text: str) -> None:
    """20个20亿元工业项目 is twenty projects of 2 billion yuan each: the 20亿元 is no target (issue 23)."""
    found = figures(text)
    sizes = [f for f in found if f.reason == "size"]
    assert len(sizes) == 1 and all(m.unit not in ("亿元", "万元") for m in extract_metrics(text))


@pytest.mark.parametrize("text", ["项目投资3亿元，利用异丁烯资源", "协议投资总额1316.79亿元。", "清偿账款5000万元"])
def test_an_amount_of_money_done_is_still_a_figure(text: str) -> None:
    assert [f.reason for f in figures(text) if f.reason == "size"] == []
    assert len(extract_metrics(text)) == 1


def test_a_part_introduced_by_qizhong_belongs_to_the_clause_it_is_part_of() -> None:
    """1549 of the 2003 firms assessed (测评) reached level 2: its clause is the assessment's, so the marts do not
    take it for one quarter's figure of something else (issue 23)."""
    text = "三季度，企业开展数字化转型测评达2003家，其中达到数字化转型二级及以上企业1549家。"
    part = extract_metrics(text)[1]
    assert part.value == 1549
    assert part.clause == "企业开展数字化转型测评达2003家，其中达到数字化转型二级及以上企业1549家"
    assert part.subject == "达到数字化转型二级及以上企业"
    alone = extract_metrics("三季度，达到数字化转型二级及以上企业1549家。")[0]
    assert alone.clause == "达到数字化转型二级及以上企业1549家"  # without 其中 the clause is its own
