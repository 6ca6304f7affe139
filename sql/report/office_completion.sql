-- Completion per lead office (【】 of 责任分工) and period; tables that name no office are under （未注明科室）.
-- Grain: one row per issuer × year × period_end_month × lead_office.
with completion as (
    select * from mart.office_quarterly_completion
)

select
    issuer,
    year,
    period_end_month,
    period_kind,
    period_label,
    coalesce(lead_office, '（未注明科室）') as lead_office,
    tasks,
    tasks_completed,
    completion_rate
from completion
order by issuer, year, period_end_month, lead_office;
