"""The input formats, one module each: a module named for its format declares ``FORMAT = Format(...)`` (name,
what it is, suffixes, content test, reader, the order it is tried in) and its reader, a thin function that imports
the format's reading module (etl.extract.pdf, docx, ocr …) only when a file of that format arrives.

etl.extract.formats finds the modules of this package (pkgutil) and builds the registry from their ``FORMAT``s:
a new format is a new module here, nothing to register elsewhere. Importing a module here stays cheap (no
library that reads a format at module level): the registry imports them all whenever the formats are first asked
for.
"""
