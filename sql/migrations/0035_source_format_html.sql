-- 0035 (issue 20): web pages (.html) are a source format; the column's comment lists every format read.
comment on column raw.source_file.source_format is 'text (tab-separated dump of the PDF table), pdf, docx (Word), xlsx (Excel), html (web page) or scan (a scanned PDF or image, read by OCR).';
comment on table raw.source_file is 'One row per ingested source file (text dump, PDF, Word, Excel, web page or scan), identified by the SHA-256 of its bytes.';
