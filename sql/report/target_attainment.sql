-- Every target figure of every current report, measured or not, with its assessment and the reason for it
-- (mart.target_attainment never leaves assessment NULL, so nothing drops out of the page).
-- Grain: one row per issuer × year × period_end_month × task_no × target_no.
with target_attainment as (
    select * from mart.target_attainment
)

select
    issuer,
    year,
    period_end_month,
    period_kind,
    period_label,
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
order by issuer, year, period_end_month, task_no, target_no;
