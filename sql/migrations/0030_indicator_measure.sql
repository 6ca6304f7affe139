-- 0030 (issue 15): how an indicator's targets are judged (measure) and which indicators add up to a combined one
-- (parts). Both are seeded from data/indicators.yaml on every run, like the rest of the catalog.
alter table core.indicator add column measure varchar;
comment on column core.indicator.measure is 'How a target of the indicator is judged: cumulative (a year-to-date quantity, against the target and the elapsed share 序时进度), level (a level reached, against the target value), rate (a rate over the year to date, against the target value).';

create table core.indicator_part (
    indicator      varchar not null,
    part_indicator varchar not null,
    primary key (indicator, part_indicator)
);
comment on table core.indicator_part is 'Combined indicators (data/indicators.yaml parts): the actual of indicator is the sum of the figures of its part indicators, e.g. 省级智能工厂和数字化车间 = 省级智能工厂 + 省级数字化车间. Reseeded on every run.';
comment on column core.indicator_part.indicator is 'The combined indicator (core.indicator).';
comment on column core.indicator_part.part_indicator is 'One of the indicators it adds up (core.indicator).';
