-- 0031 (issue 15): one name, one meaning across layers. core.metric.source_text was the figure as written while
-- mart.metric_observation.source_text was the clause; the figure is now figure_text in every layer and the clause
-- is clause in every layer.
alter table core.metric rename column source_text to figure_text;
comment on column core.metric.figure_text is 'The figure as written, e.g. 260户以上.';
