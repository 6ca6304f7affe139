-- Headline counts of the end-of-run summary: report files, current reports, tasks, task rows, open warnings.
select
    (select count(*) from core.report) as reports,
    (select count(*) from staging.current_report) as current_reports,
    (select count(*) from (select distinct issuer, year, task_no from mart.task_progress)) as tasks,
    (select count(*) from mart.task_progress) as task_rows,
    (select count(*) from mart.open_warnings) as open_warnings
