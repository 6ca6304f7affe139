-- The quarter the report leads with: the latest year × quarter of any current report version.
-- Grain: one row (none on an empty warehouse).
with current_reports as (
    select * from mart.report_versions
    -- the page is by quarter: periods ending mid-quarter (1-11月) are in the marts, not on it
    where is_current and quarter is not null
)

select
    year,
    quarter
from current_reports
order by year desc, quarter desc
limit 1;
