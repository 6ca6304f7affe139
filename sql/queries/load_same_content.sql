-- Load (idempotent by content): loaded reports with the same issuer, year, period (its end month) and content as a report about to
-- be loaded, e.g. the PDF of a loaded text dump.
-- Parameters: targets, a list of struct(target_no, issuer, year, period_end_month, content_sha256).
with targets as (
    select unnest($targets, recursive := true)
)

select t.target_no, min(r.source_file) as source_file
from targets as t
inner join core.report as r
    on r.issuer = t.issuer and r.year = t.year and r.period_end_month = t.period_end_month and r.content_sha256 = t.content_sha256
group by t.target_no
