-- Every target behind 序时进度 with its gap in the target's own terms, as a bulletin states it, and its source.
select
    issuer,
    year,
    period_label,
    task_no,
    indicator_name,
    target_text,
    actual_text,
    elapsed_share,
    gap,
    gap_unit,
    gap_text,
    responsible_units_text,
    source_file,
    source_pages_text
from mart.targets_behind
order by issuer, year, period_end_month, task_no, target_no;
