-- Quality gate (published_versions), after loading: the current version of each issuer, year and quarter.
select issuer, year, quarter, report_id from staging.current_report
