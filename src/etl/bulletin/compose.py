"""The bulletin (督查通报) as a supervision office writes it, in Chinese, composed as blocks every format renders.

Its bones follow published bulletins (宣城 2020 1-11月份, 涪陵 2023 一季度, 金寨 2025 上半年, 淮南 2023 上半年): how
many tasks were checked and how many are in each status, with shares ("已完成15项、占比88.2%"); the quantified targets,
how many reach 序时进度 and how many do not, each behind with its figure and gap ("技术改造投资增长（第8项）：14.1%，
低于目标0.9个百分点"); the open tasks by responsible unit; a call to act. Every figure names its task number and source
file; every count is a column of mart.supervision_summary. Reasons are in Chinese; the marts keep English codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from etl.bulletin.data import BulletinData, Source, TargetLine
from etl.report.data import period_name
from etl.vocabulary import STATUS_LABELS

BEIJING = ZoneInfo("Asia/Shanghai")
# The order offices list statuses in: done first, then by how far along.
STATUS_ORDER = ("completed", "ahead_of_schedule", "on_schedule", "in_progress", "behind_schedule", "not_started",
                "not_completed")  # fmt: skip
# Why a figure of the progress text is not the target's actual (staging.figure_scope's codes), as an office says it.
SCOPE_WORDS = {
    "applications": "申报数，不是结果",
    "diagnoses": "诊断数",
    "assessments": "测评数",
    "inspections": "检查数",
    "one_quarter": "单季数，不是累计数",
    "stock_to_date": "累计存量，不是本年新增",
    "level": "水平值",
    "year_to_date": "本年累计数，但属另一指标",
    "unqualified": "未说明统计时段",
}
VERDICTS = {
    "achieved": "已完成年度目标",
    "on_track": "达到序时进度",
    "behind": "未达到序时进度",
    "no_actual_reported": "无法评估",
    "not_comparable": "无法评估",
}
CALL_TO_ACT = (
    "各责任单位要对照年度目标任务，逐项查找差距，对未达到序时进度的目标和尚未完成的任务，认真分析原因，"
    "制定针对性措施，加快推进，确保完成全年目标任务。",
    "牵头单位要加强统筹调度，及时协调解决推进中的困难和问题；需要上级协调解决的，及时提出。",
    "各责任单位报送进展情况时，要如实反映目标完成情况和存在问题，写明实际完成数及其统计时段，确保数据准确、口径一致。",
)
YEAR_END_CALL = (
    "各责任单位要对照年度目标任务，逐项查找差距，对未完成的目标和任务说明原因，提出后续工作安排。",
    *CALL_TO_ACT[1:],
)
NUMERALS = "一二三四五六七八九十"
LABELS: dict[str, str] = {str(status): label for status, label in STATUS_LABELS.items()}
TARGET_HEADERS = ["任务", "目标", "年度目标", "实际完成", "评估", "依据", "来源"]
SOURCE_HEADERS = ["报告文件", "格式", "标题", "SHA-256（前12位）", "载入时间（北京时间）", "现行版本", "演示数据"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0: the title; 1: 一、…; 2: a table's caption


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body, meta (under the title), warning (synthetic data), note (sources, small)


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative column widths


Block = Heading | Paragraph | Table


def percent(share: float | None) -> str:
    """0.8824 → 88.2% (one decimal, as offices write 占比80.0%)."""
    return "—" if share is None else f"{share * 100:.1f}%"


def compose(data: BulletinData, *, generated_at: datetime | None = None) -> list[Block]:
    """Every block of the bulletin, in order."""
    p = data.period
    name = period_name(p.year, p.end_month, p.kind, p.label)
    blocks: list[Block] = [Heading(f"关于{p.issuer}{name}任务完成情况的督查通报", 0)]
    if p.is_synthetic:
        blocks.append(Paragraph(
            "【演示数据】本期报告是合成的演示数据（由真实报告按规则推导），不是真实报告；本通报中的数字不能作为工作依据。",
            "warning",
        ))  # fmt: skip
    blocks.append(Paragraph(_opening(data, name)))
    blocks += _overall(data)
    blocks += _targets(data)
    blocks += _open_tasks(data)
    blocks.append(Heading("四、下一步工作要求", 1))
    calls = YEAR_END_CALL if p.end_month == 12 else CALL_TO_ACT
    blocks += [Paragraph(f"（{NUMERALS[i]}）{text}") for i, text in enumerate(calls)]
    blocks += _appendix(data, generated_at or datetime.now(UTC))
    return blocks


def _opening(data: BulletinData, name: str) -> str:
    current = next((s for s in data.sources if s.is_current), None)
    document = (
        f"《{current.title}》（{current.file}）" if current and current.title else (current.file if current else "")
    )
    month = data.period.end_month
    return (
        f"根据{data.period.issuer}报送的{document}，对{data.period.year}年{data.summary['tasks']}项任务"
        f"{name.removeprefix(f'{data.period.year}年')}完成情况"
        f"进行了梳理（截至{month}月底，序时进度为{percent(month / 12)}）。现将有关情况通报如下。"
    )


def _overall(data: BulletinData) -> list[Block]:
    s = data.summary
    blocks: list[Block] = [Heading("一、总体情况", 1)]
    if not s["tasks_with_status"]:
        return [*blocks, Paragraph(
            f"纳入本次通报的任务{s['tasks']}项。报表未设完成状态栏，本通报不对任务完成状态作判断（不依据落实情况文字推断）。"
        )]  # fmt: skip
    parts = [
        f"{LABELS[status]}{s[f'tasks_{status}']}项、占比{percent(s[f'tasks_{status}_share'])}"
        for status in STATUS_ORDER
        if s[f"tasks_{status}"]
    ]
    text = f"纳入本次通报的任务{s['tasks']}项。其中，{'；'.join(parts)}。"
    if s["tasks_without_status"]:
        text += (
            f"另有{s['tasks_without_status']}项报表未标注完成状态，不作判断；"
            f"占比按标注状态的{s['tasks_with_status']}项计。"
        )
    return [*blocks, Paragraph(text)]


def _targets(data: BulletinData) -> list[Block]:
    s, month = data.summary, data.period.end_month
    blocks: list[Block] = [Heading("二、量化目标任务进展情况", 1)]
    if not s["targets"]:
        return [*blocks, Paragraph("本期任务中没有量化目标。")]
    if not s["targets_assessed"]:
        text = f"任务中的量化目标共{s['targets']}项，均无法评估（原因见附表1）。"
        return [*blocks, Paragraph(text)]
    text = (
        f"任务中的量化目标共{s['targets']}项，其中可以评估的{s['targets_assessed']}项。截至{month}月底，"
        f"达到序时进度{s['targets_on_pace']}项、占比{percent(s['targets_on_pace_share'])}"
        f"（其中已完成年度目标{s['targets_achieved']}项）；未达到序时进度{s['targets_behind']}项、"
        f"占比{percent(s['targets_behind_share'])}。"
    )
    if s["targets_not_assessable"]:
        text += f"另有{s['targets_not_assessable']}项目标无法评估（原因见附表1）。"
    blocks.append(Paragraph(text))
    behind = [t for t in data.targets if t.assessment == "behind"]
    if not behind:
        return [*blocks, Paragraph("本期没有未达到序时进度的量化目标。")]
    blocks.append(Paragraph("未达到序时进度的目标如下："))
    blocks += [Paragraph(f"{i}.{t.name}（第{t.task_no}项）：{t.actual_text}，{t.gap_text}。") for i, t in
               enumerate(behind, start=1)]  # fmt: skip
    rows = [[str(i), f"第{t.task_no}项", t.name, t.target_text, t.actual_text or "", percent(t.elapsed_share),
             t.gap_text or "", t.units, _where(data, t.source_file, t.source_pages)]
            for i, t in enumerate(behind, start=1)]  # fmt: skip
    headers = ["序号", "任务", "目标", "年度目标", "实际完成", "序时进度", "差距", "责任单位", "来源"]
    caption = f"表1 未达到序时进度的量化目标{_from(data)}"
    return [*blocks, Table(caption, headers, rows, [0.5, 1.0, 1.6, 1.0, 1.0, 0.9, 2, 1.4, 0.9])]


def _open_tasks(data: BulletinData) -> list[Block]:
    s, month = data.summary, data.period.end_month
    blocks: list[Block] = [Heading("三、尚未完成的任务及责任单位", 1)]
    if not s["tasks_with_status"]:
        return [*blocks, Paragraph("报表未标注完成状态，本通报不列示尚未完成的任务。")]
    tasks = sorted({t.task_no for t in data.open_tasks})
    if not tasks:
        return [*blocks, Paragraph(f"截至{month}月底，纳入通报的任务均已完成。")]
    units = {t.unit for t in data.open_tasks}
    named = sorted(u for u in units if u is not None)
    text = f"截至{month}月底，尚未完成的任务{len(tasks)}项（第{'、'.join(map(str, tasks))}项）"
    text += f"，涉及责任单位{len(named)}个，按责任单位列示如下" if named else "，报表未写明责任单位，列示如下"
    text += "（一项任务有多个责任单位的，在每个单位下均列示）：" if named else "："
    rows = [
        [t.unit or "（未写明）", f"第{t.task_no}项", t.task_title, t.lead_office or "—",
         _status(t.status, t.status_text), _where(data, t.source_file, t.source_pages)]
        for t in data.open_tasks
    ]  # fmt: skip
    headers = ["责任单位", "任务", "任务内容", "牵头科室", "状态", "来源"]
    return [
        *blocks,
        Paragraph(text),
        Table(f"表2 尚未完成的任务（按责任单位）{_from(data)}", headers, rows, [1.5, 1.0, 3.6, 0.9, 1.4, 0.9]),
    ]


def _status(status: str, written: str | None) -> str:
    """The office's word for a status, and the table's own words where they say more (欠进度 as 滞后; not a bare
    mark such as ✓, whose column the mart does not keep)."""
    label = LABELS.get(status, status)
    said = (written or "").strip()
    return f"{label}（原文：{said}）" if said and said != label and not set(said) <= set("✓√✔") else label


def verdict_reason(t: TargetLine) -> str:
    """Why a target stands as it does, in Chinese, from the mart's figures (never from its English reason)."""
    actual = t.actual_text or ""
    if t.assessment == "achieved":
        return f"实际{actual}，达到年度目标{t.target_text}"
    if t.assessment == "on_track" and t.measure == "cumulative" and t.attainment is not None:
        return f"实际{actual}，完成年度目标的{percent(t.attainment)}，不低于序时进度{percent(t.elapsed_share)}"
    if t.assessment == "on_track":
        return f"实际{actual}，达到目标{t.target_text}（比率按目标值本身评估，年末前为阶段性结果）"
    if t.assessment == "behind":
        return f"实际{actual}，{t.gap_text}"
    if t.indicator is None:
        return "该目标数字未纳入指标目录（data/indicators.yaml），未作评估"
    if t.considered:
        figures = "、".join(f"{c.figure}（{SCOPE_WORDS.get(c.scope or '', '口径不明')}）" for c in t.considered)
        return f"落实情况中没有与目标同口径的本年累计数：{figures}"
    return f"落实情况未报告{t.name}的实际数"


def _appendix(data: BulletinData, generated_at: datetime) -> list[Block]:
    targets = [
        [f"第{t.task_no}项", t.name, t.target_text, t.actual_text or "—", VERDICTS.get(t.assessment, t.assessment),
         verdict_reason(t), _where(data, t.source_file, t.source_pages)]
        for t in data.targets
    ]  # fmt: skip
    sources = [_source_row(s) for s in data.sources]
    when = generated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    return [
        Heading("附表", 1),
        Table(
            f"附表1 量化目标评估明细{_from(data)}",
            TARGET_HEADERS,
            targets,
            [1.0, 1.6, 1.0, 1.0, 1.2, 3.6, 0.9],
        ),
        Table(
            "附表2 数据来源",
            ["报告文件", "格式", "标题", "SHA-256（前12位）", "载入时间（北京时间）", "现行版本", "演示数据"],
            sources,
            [2.2, 0.6, 2.6, 1.3, 1.4, 0.7, 0.7],
        ),
        Paragraph(
            "本通报的数字均取自数据仓库的 mart 视图（mart.supervision_summary、mart.targets_behind、"
            "mart.target_attainment、mart.task_units），每项注明任务序号和来源文件（页码）；"
            f"生成于{when}（北京时间）。",
            "note",
        ),
    ]


def _current_file(data: BulletinData) -> str | None:
    return next((s.file for s in data.sources if s.is_current), None)


def _from(data: BulletinData) -> str:
    """A table's source file, said once in its caption (the rows give their pages)."""
    current = _current_file(data)
    return f"（来源文件：{current}，页码见“来源”列）" if current else ""


def _where(data: BulletinData, file: str, pages: str) -> str:
    """Where a row was printed: its pages in the period's source file (named in the caption), or another file."""
    place = f"第{pages}页" if pages else ""
    return place if file == _current_file(data) and place else f"{file} {place}".strip()


def _source_row(s: Source) -> list[str]:
    loaded = s.loaded_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if s.loaded_at else ""
    title = s.title + (f"（{s.revision_label}）" if s.revision_label and s.revision_label not in s.title else "")
    return [s.file, s.format, title, s.report_id[:12], loaded, "是" if s.is_current else "否（已被取代）",
            "是" if s.is_synthetic else "否"]  # fmt: skip
