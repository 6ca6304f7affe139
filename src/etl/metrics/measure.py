"""Units of measure as written in reports, and their normalized form.

The normalized unit lets the same quantity written differently be compared: 户 and 家 both count firms;
万元 is converted to 亿元; 三成 (three tenths) is 30 %. ``scale`` converts a value in the written unit to
the normalized unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureUnit:
    written: str
    normalized: str
    scale: float = 1.0


# Longest first: the grammar tries them in this order, so 个百分点 wins over 个 and 万吨/年 over 万吨.
MEASURE_UNITS: tuple[MeasureUnit, ...] = tuple(
    sorted(
        (
            MeasureUnit("个百分点", "pp"),
            MeasureUnit("百分点", "pp"),
            MeasureUnit("%", "%"),
            MeasureUnit("％", "%"),
            MeasureUnit("成", "%", 10.0),  # 三成 = 30 %
            MeasureUnit("亿元", "亿元"),
            MeasureUnit("万元", "亿元", 0.0001),
            MeasureUnit("亿", "亿元"),  # 拖欠12.5亿: yuan is implied
            MeasureUnit("万吨/年", "万吨/年"),
            MeasureUnit("吨/年", "万吨/年", 0.0001),
            MeasureUnit("万吨", "万吨"),
            MeasureUnit("吨", "万吨", 0.0001),
            MeasureUnit("万千瓦", "万千瓦"),
            MeasureUnit("千瓦", "万千瓦", 0.0001),
            MeasureUnit("万只", "只", 10000.0),
            MeasureUnit("万套", "套", 10000.0),
            MeasureUnit("万台", "台", 10000.0),
            MeasureUnit("万人", "人", 10000.0),
            MeasureUnit("万亩", "亩", 10000.0),
            MeasureUnit("亩", "亩"),
            MeasureUnit("平方米", "平方米"),
            MeasureUnit("家", "家"),
            MeasureUnit("户", "家"),  # firms are counted in 户 or 家
            MeasureUnit("个", "个"),
            MeasureUnit("项", "项"),
            MeasureUnit("起", "起"),  # cases (of complaints, arrears)
            MeasureUnit("件", "件"),
            MeasureUnit("条", "条"),
            MeasureUnit("座", "座"),
            MeasureUnit("台", "台"),
            MeasureUnit("套", "套"),
            MeasureUnit("只", "只"),
            MeasureUnit("名", "人"),
            MeasureUnit("人", "人"),
            MeasureUnit("份", "份"),
            MeasureUnit("次", "次"),
            MeasureUnit("场", "场"),
            MeasureUnit("倍", "倍"),
        ),
        key=lambda unit: -len(unit.written),
    )
)
UNIT_BY_WRITTEN: dict[str, MeasureUnit] = {unit.written: unit for unit in MEASURE_UNITS}
NORMALIZED_UNITS: frozenset[str] = frozenset(unit.normalized for unit in MEASURE_UNITS)
