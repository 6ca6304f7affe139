-- The quarter the report leads with: the latest year × quarter of any current report version.
-- Grain: one row (none on an empty warehouse).
with current_reports as (
    select * from mart.report_versions
    where is_current
)

select
    year,
    quarter
from current_reports
order by year desc, quarter desc
limit 1;
