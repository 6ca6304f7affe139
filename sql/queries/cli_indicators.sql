-- etl indicators: how many metrics each catalog indicator took, in catalog order.
select i.indicator, i.indicator_name, i.unit_normalized, count(m.indicator) as metrics
from core.indicator as i
left join mart.metric_observation as m on m.indicator = i.indicator
group by all
order by any_value(i.priority)
