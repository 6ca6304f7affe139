-- 0020: the OCR engine's confidence in each cell of a scanned report (etl.extract.ocr), so that an analyst can
-- find the cells to check against the paper; the quality gate warns about cells below its threshold.
alter table raw.extracted_cell add column ocr_confidence double;
comment on column raw.extracted_cell.ocr_confidence is 'For a scan read by OCR: the lowest recognition confidence (0-1) of the text lines in the cell; null when the cell is empty or the file was not read by OCR.';
