-- Tasks whose status differs from the previous quarter reported that year.
-- Grain: one row per issuer × year × quarter × task_no that changed status.
with task_history as (
    select * from mart.task_history
),

offices as (
    select distinct issuer, year, quarter, task_no, lead_office
    from mart.task_progress
)

select
    h.issuer,
    h.year,
    h.quarter,
    h.task_no,
    h.task_title,
    o.lead_office,
    h.prev_quarter,
    h.prev_status,
    h.status
from task_history as h
left join offices as o
    on o.issuer = h.issuer and o.year = h.year and o.quarter = h.quarter and o.task_no = h.task_no
where h.status_changed
order by h.year desc, h.quarter desc, h.issuer, h.task_no;
