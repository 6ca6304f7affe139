-- What each reason an actual figure was not a target's actual stands for (staging.figure_scope's rules), so the
-- bulletin can name the figures it looked at in Chinese: scope_reason as written in considered_figures → figure_scope.
-- Grain: one row per distinct scope_reason.
with observations as (
    select * from mart.metric_observation
    where scope_reason is not null
)

select
    scope_reason,
    any_value(figure_scope) as figure_scope
from observations
group by scope_reason;
