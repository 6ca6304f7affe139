create table if not exists core.task_row (
    report_id          varchar not null,
    task_no            integer not null,
    plan_type          varchar not null check (plan_type in ('schedule', 'roadmap')),
    plan_type_label    varchar not null,
    task_title         varchar not null,
    responsible_units  varchar[] not null,
    lead_office        varchar,
    phone              varchar,
    plan_text          varchar not null,
    status             varchar not null check (status in ('completed', 'not_completed', 'in_progress')),
    status_text        varchar not null,
    progress_text      varchar not null,
    source_pages       integer[] not null,
    source_line        integer not null,
    primary key (report_id, task_no, plan_type)
);
comment on table core.task_row is 'One row per report, task (序号) and row kind: 进度安排 (schedule, the quarter''s milestone) or 施工图 (roadmap, the steps).';
comment on column core.task_row.report_id is 'Report (core.report.report_id).';
comment on column core.task_row.task_no is 'Task number 序号 from the city''s master list of the year''s tasks (not contiguous: the bureau reports its share).';
comment on column core.task_row.plan_type is 'schedule (进度安排) or roadmap (施工图).';
comment on column core.task_row.plan_type_label is 'Row kind as printed in 季度类别: 进度安排 or 施工图.';
comment on column core.task_row.task_title is 'Target task 目标任务, cleaned text.';
comment on column core.task_row.responsible_units is 'Responsible units 责任分工, split into a list, e.g. [市经济和信息化局, 市招商中心, 市科技局].';
comment on column core.task_row.lead_office is 'The bureau''s internal lead office, written in 【】 in 责任分工, e.g. 中小办.';
comment on column core.task_row.phone is 'Supervision contact 监督方式: a phone number.';
comment on column core.task_row.plan_text is 'The quarter''s plan (第N季度 column), cleaned; numbered items one per line.';
comment on column core.task_row.status is 'completed (mark in 已完成), not_completed (mark in 未完成) or in_progress (正在推进, 持续推进 …).';
comment on column core.task_row.status_text is 'The status mark or words as written (✓, √, 正在推进 …).';
comment on column core.task_row.progress_text is 'What was actually done 落实情况, cleaned; empty when the report left it empty.';
comment on column core.task_row.source_pages is 'Page(s) of the source the row was printed on.';
comment on column core.task_row.source_line is 'Line of the row in a text dump, or row number in a PDF.';

-- core: figures found in report texts, and the indicator catalog (seeded from data/indicators.yaml on every run).
create table if not exists core.metric (
    report_id        varchar not null,
    metric_no        integer not null,
    task_no          integer not null,
    plan_type        varchar check (plan_type in ('schedule', 'roadmap')),
    kind             varchar not null check (kind in ('target', 'plan', 'actual')),
    value            double not null,
    unit             varchar not null,
    unit_normalized  varchar not null,
    value_normalized double not null,
    comparator       varchar not null check (comparator in ('=', '>=', '<=', '~')),
    direction        varchar check (direction in ('increase', 'decrease')),
    subject          varchar not null,
    period_text      varchar,
    clause           varchar not null,
    source_text      varchar not null,
    source_line      integer not null,
    primary key (report_id, metric_no)
);
comment on table core.metric is 'One row per figure found in a report''s text: targets in task titles (目标任务), plans (第N季度) and actuals (落实情况).';
comment on column core.metric.report_id is 'Report (core.report.report_id).';
comment on column core.metric.metric_no is '1-based position of the figure in the report, in reading order.';
comment on column core.metric.task_no is 'Task number 序号 the figure belongs to.';
comment on column core.metric.plan_type is 'schedule (进度安排) or roadmap (施工图) row it was found in; NULL for targets from the task title.';
comment on column core.metric.kind is 'target (from 目标任务), plan (from the quarter''s plan) or actual (from 落实情况).';
comment on column core.metric.value is 'The number as written (Chinese numerals converted: 两个 → 2).';
comment on column core.metric.unit is 'Unit as written: 家, 户, 个, 起, %, 个百分点, 亿元, 万吨/年 …';
comment on column core.metric.unit_normalized is 'Normalized unit: 户 → 家, 万元 → 亿元, 成 → %, 个百分点 → pp.';
comment on column core.metric.value_normalized is 'value converted to unit_normalized.';
comment on column core.metric.comparator is '= exact, >= (以上, 余), <= (以下, 以内), ~ (约, 左右).';
comment on column core.metric.direction is 'increase (增长, 提高, 高于) or decrease (下降, 降低, 低于); NULL when the text says neither.';
comment on column core.metric.subject is 'The noun phrase the figure counts, e.g. 5G基站, 规上工业企业, 技术改造投资.';
comment on column core.metric.period_text is 'Period words of the sentence: 1-8月份, 三季度, 前三季度, 今年以来 …; NULL when none.';
comment on column core.metric.clause is 'The clause the figure came from.';
comment on column core.metric.source_text is 'The figure as written, e.g. 260户以上.';
comment on column core.metric.source_line is 'Line (text dump) or row number (PDF) of the source row.';

create table if not exists core.indicator (
    indicator       varchar primary key,
    indicator_name  varchar not null,
    indicator_name_en varchar not null,
    unit_normalized varchar not null,
    direction       varchar check (direction in ('increase', 'decrease')),
    priority        integer not null
);
comment on table core.indicator is 'Indicator catalog (data/indicators.yaml): stable codes that make figures comparable across years. Reseeded on every run.';
comment on column core.indicator.indicator is 'Stable indicator code, e.g. new_5g_base_stations.';
comment on column core.indicator.indicator_name is 'Indicator name in Chinese, e.g. 新建5G基站.';
comment on column core.indicator.indicator_name_en is 'Indicator name in English.';
comment on column core.indicator.unit_normalized is 'Normalized unit of the metrics the indicator takes.';
comment on column core.indicator.direction is 'When set, only metrics with this direction match (增长 increase / 下降 decrease).';
comment on column core.indicator.priority is 'Position in the catalog: the first matching indicator wins.';

create table if not exists core.indicator_rule (
    indicator       varchar not null,
    subject_pattern varchar not null,
    primary key (indicator, subject_pattern)
);
comment on table core.indicator_rule is 'Regular expressions (RE2) matched against core.metric.subject to assign an indicator.';
comment on column core.indicator_rule.indicator is 'Indicator code (core.indicator).';
comment on column core.indicator_rule.subject_pattern is 'Regular expression tried against the metric subject.';

