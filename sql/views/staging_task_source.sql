-- Grain: one row per issuer × year × period (period_end_month) × task_no of the current report versions: where a
-- task is printed — its source file and the pages of all its rows (进度安排 and 施工图 rows can fall on two pages) —
-- and its responsible units as text. The bulletin's queries (sql/bulletin/) and the view of targets behind 序时进度
-- name each task's source from it.
create or replace view staging.task_source as
with current_reports as (
    select * from staging.current_report
),

task_rows as (
    select * from core.task_row
),

source_files as (
    select * from raw.source_file
),

task_sources as (
    select
        r.issuer,
        r.year,
        r.period_end_month,
        t.task_no,
        any_value(f.file_name) as source_file,
        any_value(f.source_sha256) as source_sha256,
        list_sort(list_distinct(flatten(list(t.source_pages)))) as source_pages,
        any_value(array_to_string(t.responsible_units, '、')) as responsible_units_text
    from current_reports as r
    inner join task_rows as t on t.report_id = r.report_id
    inner join source_files as f on f.source_sha256 = r.source_sha256
    group by r.issuer, r.year, r.period_end_month, t.task_no
)

select
    issuer,
    year,
    period_end_month,
    task_no,
    source_file,
    source_sha256,
    source_pages,
    array_to_string(source_pages, '、') as source_pages_text,
    responsible_units_text
from task_sources;

comment on view staging.task_source is 'Grain: issuer × year × period_end_month × task_no (current report versions). Where each task is printed: its source file and the pages of all its rows, and its responsible units as text.';
comment on column staging.task_source.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.task_source.year is 'Year of the work report.';
comment on column staging.task_source.period_end_month is 'The month the period ends (1-12).';
comment on column staging.task_source.task_no is 'Task number 序号.';
comment on column staging.task_source.source_file is 'Source file name.';
comment on column staging.task_source.source_sha256 is 'SHA-256 of the source file.';
comment on column staging.task_source.source_pages is 'Pages of the source any row of the task was printed on, in order, each once.';
comment on column staging.task_source.source_pages_text is 'source_pages joined with 、 (e.g. 3、4).';
comment on column staging.task_source.responsible_units_text is 'The task''s responsible units joined with 、 (every row of a task names the same units).';
