-- Quality gate (published_versions), after loading: the current version of each issuer, year and period.
select issuer, year, period_end_month, report_id from staging.current_report
