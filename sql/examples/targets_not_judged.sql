-- Targets of the latest quarter that could not be judged, and why (no figure, or figures that measure something else).
select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    target_text,
    assessment,
    assessment_reason
from mart.target_attainment
where is_latest_quarter and assessment in ('not_comparable', 'no_actual_reported')
order by issuer, task_no, target_no;
