-- Grain: one row per current report × failed warning expectation of its latest validation per suite.
create or replace view mart.open_warnings as
with current_reports as (
    select * from staging.current_report
),

validation_results as (
    select * from ops.validation_result
),

latest_validations as (
    -- A report may be validated again in a later run; only the latest validation of each suite counts.
    select
        report_id,
        suite,
        arg_max(validation_id, recorded_at) as validation_id
    from validation_results
    where report_id is not null
    group by report_id, suite
),

open_warnings as (
    select v.*
    from validation_results as v
    inner join latest_validations as l
        on l.validation_id = v.validation_id and l.suite = v.suite
    where v.severity = 'warning' and not v.success
)

select
    r.issuer,
    r.year,
    r.quarter,
    r.report_id,
    r.source_file,
    w.suite,
    w.expectation,
    w.column_name,
    w.description,
    w.observed_value,
    w.run_id,
    w.recorded_at,
    r.period_kind,
    r.period_end_month,
    r.period_label
from current_reports as r
inner join open_warnings as w on w.report_id = r.report_id;

comment on view mart.open_warnings is 'Grain: report_id × suite × expectation × column_name (a failed warning-severity expectation of the latest validation of a current report). Loaded data that a person should look at.';
comment on column mart.open_warnings.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.open_warnings.year is 'Year of the work report.';
comment on column mart.open_warnings.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.open_warnings.period_kind is 'quarter, half_year, months or year.';
comment on column mart.open_warnings.period_end_month is 'The month the report''s period ends (1-12).';
comment on column mart.open_warnings.period_label is 'The period as written.';
comment on column mart.open_warnings.report_id is 'Report (core.report.report_id, the SHA-256 of its source file).';
comment on column mart.open_warnings.source_file is 'Source file name.';
comment on column mart.open_warnings.suite is 'Expectation suite that warned, e.g. history_titles.';
comment on column mart.open_warnings.expectation is 'great-expectations expectation type, e.g. expect_column_pair_values_to_be_equal.';
comment on column mart.open_warnings.column_name is 'Column(s) checked.';
comment on column mart.open_warnings.description is 'What was expected, e.g. task title unchanged within the year.';
comment on column mart.open_warnings.observed_value is 'JSON: what was found, with a few offending values and the tasks they are in.';
comment on column mart.open_warnings.run_id is 'Ingest run that recorded the warning.';
comment on column mart.open_warnings.recorded_at is 'When the warning was recorded: an instant (TIMESTAMP WITH TIME ZONE, stored as UTC). DuckDB shows it in the session TimeZone (by default the client machine''s zone); a tool that drops the zone, such as Superset, shows that zone''s clock time, so set TimeZone or convert: recorded_at AT TIME ZONE ''Asia/Shanghai'' is Beijing time, AT TIME ZONE ''UTC'' is UTC.';
