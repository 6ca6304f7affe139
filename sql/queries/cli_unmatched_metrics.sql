-- etl indicators --unmatched: metrics no catalog indicator takes, grouped by subject, unit and kind.
select
    subject,
    unit_normalized,
    kind,
    count(*) as metrics,
    any_value(figure_text) as example,
    any_value(clause) as clause
from mart.metric_observation
where indicator is null
group by subject, unit_normalized, kind
order by metrics desc, subject
