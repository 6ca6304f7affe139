-- benchmarks/scale.py: N-1 copies of the one loaded report ($base), each its own synthetic report: issuer
-- '合成<k>局' (synthetic bureau k), year 2000-2024, quarter 1-4, distinct for every copy; ids 'synthetic-<i>'.
create or replace temp table copies as
select
    'synthetic-' || lpad(i::varchar, 6, '0') as sha,
    '合成' || (i // 100)::varchar || '局' as issuer,
    2000 + (i // 4) % 25 as year,
    i % 4 + 1 as quarter
from range(1, $n) as t (i);

insert into raw.source_file by name
select s.* replace (c.sha as source_sha256, c.sha || '_synthetic.txt' as file_name)
from raw.source_file as s cross join copies as c where s.source_sha256 = $base;

insert into raw.extracted_cell by name
select s.* replace (c.sha as source_sha256)
from raw.extracted_cell as s cross join copies as c where s.source_sha256 = $base;

insert into core.report by name
select s.* replace (
    c.sha as report_id, c.issuer as issuer, c.year as year, c.quarter as quarter,
    c.quarter * 3 as period_end_month, ['一', '二', '三', '四'][c.quarter] || '季度' as period_label,
    c.sha as source_sha256,
    c.sha as content_sha256, c.sha || '_synthetic.txt' as source_file
)
from core.report as s cross join copies as c where s.report_id = $base;

insert into core.task_row by name
select s.* replace (c.sha as report_id)
from core.task_row as s cross join copies as c where s.report_id = $base;

insert into core.metric by name
select s.* replace (c.sha as report_id)
from core.metric as s cross join copies as c where s.report_id = $base;
