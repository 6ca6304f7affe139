-- 0040 (issue 20): every task-completion table, not one bureau's template. A report covers a period of any kind
-- (quarter, half-year, cumulative months, whole year) of its issuer's year; a task has plan rows or one row; a
-- table may have no status column, people responsible, the year's target. Reports loaded before keep their values:
-- each was a quarter's report with two plan rows a task and a status on every row.

-- core.task_row: plan rows or one row a task; a status only where the table has one. DuckDB cannot drop a primary
-- key or change a check, so the table is made anew and its rows copied. It has no key: a task's one row has
-- plan_type NULL, which a key cannot hold, and DuckDB cannot build a unique index in the transaction that upgrades
-- an older warehouse (its earlier migrations updated rows). One row per report, task and plan type is held by the
-- parser (etl.parse.report: a second row of a task is refused, naming both lines) and by the quality gate
-- (report_rows: compound_columns_to_be_unique task_no, plan_type).
create table core.task_row_0040 (
    report_id          varchar not null,
    task_no            integer not null,
    plan_type          varchar check (plan_type in ('schedule', 'roadmap')),
    plan_type_label    varchar,
    task_title         varchar not null,
    responsible_units  varchar[] not null,
    lead_office        varchar,
    responsible_people varchar[] not null,
    phone              varchar,
    plan_text          varchar,
    annual_target      varchar,
    status             varchar check (status in ('completed', 'in_progress', 'on_schedule', 'ahead_of_schedule', 'behind_schedule', 'not_started', 'not_completed')),
    status_text        varchar,
    progress_text      varchar,
    source_pages       integer[] not null,
    source_line        integer not null
);
insert into core.task_row_0040 by name
select * exclude (responsible_units, source_pages), responsible_units, [] :: varchar[] as responsible_people,
       source_pages
from core.task_row;
drop table core.task_row;
alter table core.task_row_0040 rename to task_row;
comment on table core.task_row is 'One row per report and task, or per task and plan row where the table has them: 进度安排 (schedule, the period''s milestone) and 施工图 (roadmap, the steps).';
comment on column core.task_row.report_id is 'Report (core.report.report_id).';
comment on column core.task_row.task_no is 'Task number 序号: from the issuer''s master list of the year''s tasks (not contiguous when an office reports its share) or a local list from 1.';
comment on column core.task_row.plan_type is 'schedule (进度安排) or roadmap (施工图); NULL for a table of one row per task.';
comment on column core.task_row.plan_type_label is 'Row kind as printed in 季度类别: 进度安排 or 施工图; NULL for a table of one row per task.';
comment on column core.task_row.task_title is 'The task (目标任务, 重点工作, 内容与要求, 主要任务 …), cleaned text.';
comment on column core.task_row.responsible_units is 'Responsible units (责任分工, 责任单位, 牵头单位, 责任科室) as a list, split however the cell separates them (、, spaces, line breaks) or run together, e.g. [市经济和信息化局, 市招商中心, 市科技局]; empty when the table has none.';
comment on column core.task_row.lead_office is 'The bureau''s internal lead office, written in 【】 among the responsible units, e.g. 中小办.';
comment on column core.task_row.responsible_people is 'People responsible (责任领导, 责任人) as a list; empty when the table names none.';
comment on column core.task_row.phone is 'Supervision contact 监督方式: a phone number.';
comment on column core.task_row.plan_text is 'The period''s plan (第三季度, 第二季度, 进度安排 column), cleaned; numbered items one per line. NULL when the table has no such column.';
comment on column core.task_row.annual_target is 'The year''s target of the task (攻坚目标任务, 年度目标 column); NULL when the table has no such column.';
comment on column core.task_row.status is 'completed, in_progress, on_schedule (达序时进度), ahead_of_schedule (超序时进度), behind_schedule (欠进度, 滞后), not_started (未启动) or not_completed, from the marks and words of data/statuses.yaml; NULL when the table has no status column (never guessed from the narrative).';
comment on column core.task_row.status_text is 'The status mark or words as written (✓, √, 正在推进, 序时推进 …); NULL when the table has no status column.';
comment on column core.task_row.progress_text is 'What was done (落实情况, 进展情况, 完成情况 when narrative), cleaned; empty when the report left it empty; NULL when the table has no such column.';
comment on column core.task_row.source_pages is 'Page(s) of the source the row was printed on.';
comment on column core.task_row.source_line is 'Line of the row in a text dump, or row number in a PDF, Word, Excel or HTML table.';

-- core.report: the period in general; quarter stays, the quarter whose end the period reaches (NULL for 1-11月).
-- DuckDB adds no column with a constraint, nor sets NOT NULL in a transaction that has updated rows (the upgrade of
-- a warehouse with reports in it): the parser fills these columns for every report, and the quality gate holds
-- period_kind and period_end_month to their values and not NULL (report_header).
alter table core.report alter column quarter drop not null;
alter table core.report add column period_kind varchar;
alter table core.report add column period_end_month integer;
alter table core.report add column period_label varchar;
alter table core.report add column is_synthetic boolean;
-- Reports loaded before were quarters; their label is the quarter as the title wrote it. Before the flag existed,
-- synthetic demo data was told by its file name (the only rule there was); it is applied here once, to them.
update core.report set
    period_kind = 'quarter',
    period_end_month = quarter * 3,
    period_label = coalesce(nullif(regexp_extract(regexp_replace(title, '\s+', '', 'g'), '第?[一二三四1-4]季度'), ''), quarter || '季度'),
    is_synthetic = source_file ilike '%synthetic%';
comment on table core.report is 'One row per loaded report file: who issued it (发布单位) and for which year and period, read from its title or declared (--issuer/--period, a .meta.yaml sidecar).';
comment on column core.report.issuer is 'Issuing government or office as the title names it (or as declared), e.g. 市工信局, 绍兴市政府, 泗洲头镇; format characters and spaces removed.';
comment on column core.report.quarter is 'The quarter whose end the period reaches, 1-4 (三季度 and 1-9月 → 3, 上半年 → 2, 全年 → 4); NULL when the period ends mid-quarter (1-11月).';
comment on column core.report.period_kind is 'quarter (一季度 … 四季度), half_year (上半年, 半年度), months (cumulative: 1-9月, 前三季度, 1-11月) or year (全年, a year-end 完成情况表).';
comment on column core.report.period_end_month is 'The month the period ends (1-12): a report covers January to this month of its year. Periods compare when they end in the same month.';
comment on column core.report.period_label is 'The period as written in the title (三季度, 上半年, 1-9月, 完成情况表 …); NULL when the document does not say it and the period was declared (--period, a .meta.yaml sidecar).';
comment on column core.report.is_synthetic is 'True for synthetic demo data (declared synthetic in its .meta.yaml; derived from a real report), false for a real report.';

-- raw.source_file: the header of the period-plan column, whatever period it names ('' when the table has none).
alter table raw.source_file rename column quarter_header to period_header;
comment on column raw.source_file.period_header is 'Header of the period-plan column as printed, e.g. 第三季度, 1-9月, 第二季度, 进度安排; empty when the table has no such column.';
comment on column raw.source_file.title is 'The text above the table as found (page chrome, a bulletin paragraph and the title, lines joined); core.report.title is the title found in it.';

-- raw.extracted_cell: the fields a table fills are twelve (vocabulary.TABLE_FIELDS); the period column's field is
-- period_plan, and extra columns now come after the twelve. Rows already loaded stay as they were extracted (raw is
-- lineage): their period column is named quarter_plan and their extra columns start at 9.
comment on column raw.extracted_cell.column_index is '0-based field (0 = 序号 … 8 = 落实情况, 9 = 完成情况 status, 10 = 责任人, 11 = 年度目标); 12 and up for the extra columns, in their order (9 and up in files loaded before schema version 40).';
comment on column raw.extracted_cell.column_name is 'Field name: task_no, task_title, responsible, supervision, plan_kind, period_plan (quarter_plan in files loaded before schema version 40), done, not_done, progress, status, people, annual_target; extra for a column no field takes.';

-- ops: the period's end month next to the year and quarter.
alter table ops.ingest_file add column period_end_month integer;
comment on column ops.ingest_file.period_end_month is 'End month of the report''s period (1-12), when parsed.';
alter table ops.validation_run add column period_end_month integer;
comment on column ops.validation_run.period_end_month is 'End month of the report''s period (1-12), as parsed.';
