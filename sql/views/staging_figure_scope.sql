-- Grain: one row per metric (core.metric) of every loaded report: staging.metric_indicator plus the span an actual
-- figure measures (figure_scope) and the words that decided it (scope_reason).
--
-- A figure is a target's actual only when it measures the same thing over the same span as the target, which is
-- this year's new quantity to date (or, for a level such as 通达率, the level reached). The rules, first match wins,
-- tried on the figure's clause (the text between commas) and its sentence's period words (period_text):
--   1. applications  申报 / 推荐上报 in the clause: a count of applications, not of results (7家企业申报国家级绿色工厂)
--   2. diagnoses     诊断: firms diagnosed, not transformed (开展500家企业数字化诊断工作)
--   3. assessments   测评 / 评估: firms assessed (企业开展数字化转型测评达2003家)
--   4. inspections   监察 / 检查 / 核查 / 督查: firms inspected (11家企业开展…能效专项监察)
--   5. one_quarter   period 二/三/四季度 or a single month: one quarter's figure is not the year to date
--                    (三季度，月度项目入规企业20户); 一季度 is the first quarter, i.e. the year to date in Q1
--   6. stock_to_date 累计 / 已培育 / 总数 in the clause, or the period 截至/截止目前: a stock to date, not this year's new
--                    quantity (全市累计建成…等4个省级中小企业特色产业集群; 全市已培育省级智能工厂20家)
--   7. level         a % (or pp) figure with no 增长/下降: a level as of the report (行政村5G通达率已达98%)
--   8. year_to_date  a year-to-date period (前三季度, 1-8月份, 今年以来, 上半年, 一季度 …) or a this-year word in the clause
--                    (新增, 新建, 今年, 入选, 认定, 推动实施): this year's quantity to date (2024年已新建5G基站1152个)
--   9. unqualified   nothing says the span: not used as an actual (已清偿企业账款1.23亿元 — since when?)
-- Targets and plans have no scope (NULL).
create or replace view staging.figure_scope as
with metrics as (
    select * from staging.metric_indicator
),

patterns as (
    select
        '申报|推荐上报' as applications,
        '诊断' as diagnoses,
        '测评|评估' as assessments,
        '监察|检查|核查|督查' as inspections,
        '^(第?[二三四2-4]季度|[0-9]{1,2}月份?)$' as one_quarter_period,
        '累计|已培育|总数' as stock_words,
        '截至|截止' as stock_period,
        '前[一二三四]季度|^第?一季度$|[0-9]{1,2}-[0-9]{1,2}月|今年以来|年初以来|全年|上半年|下半年' as year_to_date_period,
        '新增|新建|今年|本年|入选|认定|推动实施' as year_to_date_words
),

classified as (
    select
        m.*,
        case
            when m.kind <> 'actual' then null
            when regexp_matches(m.clause, p.applications) then 'applications'
            when regexp_matches(m.clause, p.diagnoses) then 'diagnoses'
            when regexp_matches(m.clause, p.assessments) then 'assessments'
            when regexp_matches(m.clause, p.inspections) then 'inspections'
            when regexp_matches(coalesce(m.period_text, ''), p.one_quarter_period) then 'one_quarter'
            when regexp_matches(m.clause, p.stock_words) then 'stock_to_date'
            when regexp_matches(coalesce(m.period_text, ''), p.stock_period) then 'stock_to_date'
            when m.unit_normalized in ('%', 'pp') and m.direction is null then 'level'
            when regexp_matches(coalesce(m.period_text, ''), p.year_to_date_period) then 'year_to_date'
            when regexp_matches(m.clause, p.year_to_date_words) then 'year_to_date'
            else 'unqualified'
        end as figure_scope,
        p.*
    from metrics as m
    cross join patterns as p
)

select
    * exclude (
        applications, diagnoses, assessments, inspections, one_quarter_period, stock_words, stock_period,
        year_to_date_period, year_to_date_words
    ),
    case figure_scope
        when 'applications' then regexp_extract(clause, applications) || ': counts applications, not results'
        when 'diagnoses' then regexp_extract(clause, diagnoses) || ': counts firms diagnosed, not the target''s quantity'
        when 'assessments' then regexp_extract(clause, assessments) || ': counts firms assessed, not the target''s quantity'
        when 'inspections' then regexp_extract(clause, inspections) || ': counts inspections, not the target''s quantity'
        when 'one_quarter' then period_text || ': one quarter''s figure, not the year to date'
        when 'stock_to_date' then coalesce(nullif(regexp_extract(clause, stock_words), ''), period_text)
            || ': a stock to date, not this year''s new quantity'
        when 'level' then 'a level (' || unit_normalized || ') as of the report'
        when 'year_to_date' then case
            when regexp_matches(coalesce(period_text, ''), year_to_date_period) then period_text
            else regexp_extract(clause, year_to_date_words)
        end || ': this year''s quantity to date'
        when 'unqualified' then 'no period or 新增/今年 word says the figure is this year''s to date'
    end as scope_reason
from classified;

comment on view staging.figure_scope is 'Grain: metric. staging.metric_indicator with the span an actual figure measures (figure_scope) and why (scope_reason); rules in sql/views/staging_figure_scope.sql.';
comment on column staging.figure_scope.report_id is 'Report (core.report.report_id).';
comment on column staging.figure_scope.metric_no is 'Position of the figure in the report, in reading order.';
comment on column staging.figure_scope.task_no is 'Task number 序号 the figure belongs to.';
comment on column staging.figure_scope.plan_type is 'schedule (进度安排) or roadmap (施工图) row it was found in; NULL for targets from the task title.';
comment on column staging.figure_scope.kind is 'target (目标任务), plan (第N季度) or actual (落实情况).';
comment on column staging.figure_scope.value is 'The number as written.';
comment on column staging.figure_scope.unit is 'Unit as written.';
comment on column staging.figure_scope.unit_normalized is 'Normalized unit (户 → 家, 万元 → 亿元, 个百分点 → pp).';
comment on column staging.figure_scope.value_normalized is 'value in unit_normalized.';
comment on column staging.figure_scope.comparator is '=, >= (以上), <= (以下/以内), ~ (约/左右).';
comment on column staging.figure_scope.direction is 'increase (增长) or decrease (下降); NULL when not stated.';
comment on column staging.figure_scope.subject is 'The noun phrase the figure counts, e.g. 5G基站.';
comment on column staging.figure_scope.period_text is 'Period words of the sentence, e.g. 1-8月份, 三季度; NULL when none.';
comment on column staging.figure_scope.clause is 'The clause the figure came from.';
comment on column staging.figure_scope.figure_text is 'The figure as written, e.g. 260户以上.';
comment on column staging.figure_scope.source_line is 'Line (text dump) or row number (PDF) of the source row.';
comment on column staging.figure_scope.indicator is 'Catalog indicator code assigned by the catalog rules; NULL when none matches.';
comment on column staging.figure_scope.figure_scope is 'Actuals only: year_to_date, level, one_quarter, stock_to_date, applications, diagnoses, assessments, inspections or unqualified; NULL for targets and plans.';
comment on column staging.figure_scope.scope_reason is 'The words that decided figure_scope and what they mean.';
