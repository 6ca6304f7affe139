-- 0047 (issue 24): the formats are listed once, in the format registry (src/etl/extract/formats.py, README's table of
-- formats); the column's comment names it instead of listing them, so a new format needs no migration.
comment on column raw.source_file.source_format is 'The format that read the file, as the format registry names it (src/etl/extract/formats.py; README, "Formats and templates"), e.g. text, pdf, docx, xlsx, html, or scan (read by OCR).';
comment on table raw.source_file is 'One row per ingested source file (any format of the format registry), identified by the SHA-256 of its bytes.';
