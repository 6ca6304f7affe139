-- The issuers and periods a bulletin can be written for: every current report version, newest first.
-- Grain: one row per issuer × year × period_end_month.
with summary as (
    select * from mart.supervision_summary
)

select
    issuer,
    year,
    period_end_month,
    period_kind,
    period_label,
    is_synthetic
from summary
order by issuer, year desc, period_end_month desc;
