-- Targets behind: cumulative ones below the elapsed share of the year (序时进度), levels and rates below the target.
select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    indicator_name,
    target_text,
    actual_text,
    measure,
    attainment,
    elapsed_share,
    expected_value,
    assessment_reason
from mart.target_attainment
where assessment = 'behind'
order by issuer, year, quarter, task_no, target_no;
