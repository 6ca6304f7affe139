-- Every target figure of every current report, measured or not, with its assessment and the reason for it
-- (mart.target_attainment never leaves assessment NULL, so nothing drops out of the page).
-- Grain: one row per issuer × year × quarter × task_no × target_no.
with target_attainment as (
    select * from mart.target_attainment
)

select
    issuer,
    year,
    quarter,
    task_no,
    target_no,
    task_title,
    lead_office,
    indicator,
    coalesce(indicator_name, target_text) as indicator_name,
    measure,
    unit,
    target_text,
    target_value,
    actual_text,
    actual_value,
    attainment,
    elapsed_share,
    expected_value,
    assessment,
    assessment_reason
from target_attainment
where quarter is not null
order by issuer, year, quarter, task_no, target_no;
