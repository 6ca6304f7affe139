-- Grain: one row per metric (core.metric) of every loaded report, with the indicator it maps to (NULL if none).
-- The first catalog indicator (by priority) whose unit and direction fit and one of whose patterns matches wins.
create or replace view staging.metric_indicator as
with metrics as (
    select * from core.metric
),

indicators as (
    select * from core.indicator
),

rules as (
    select * from core.indicator_rule
),

candidates as (
    select
        m.report_id,
        m.metric_no,
        i.indicator,
        i.priority
    from metrics as m
    inner join indicators as i
        on i.unit_normalized = m.unit_normalized
        and (i.direction is null or i.direction = m.direction)
    inner join rules as r
        on r.indicator = i.indicator
        and regexp_matches(m.subject, r.subject_pattern)
),

best as (
    select
        report_id,
        metric_no,
        arg_min(indicator, priority) as indicator
    from candidates
    group by report_id, metric_no
)

select
    m.*,
    b.indicator
from metrics as m
left join best as b on b.report_id = m.report_id and b.metric_no = m.metric_no;

comment on view staging.metric_indicator is 'Grain: metric. core.metric with the catalog indicator assigned (NULL when no indicator matches).';
