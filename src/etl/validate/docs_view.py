"""Data Docs that show report content and file names as text, never as markup.

great-expectations 1.24 renders its pages from Jinja templates without autoescaping (they are ``.j2`` files) and
hands plain strings of a page (a table cell holding an unexpected value such as a task title, the run name, a
column name) to the template as they are: a title ``<script>…</script>`` ran in the history_titles page, a file named
``<img src=x onerror=…>.txt`` in the report_rows page. Its string templates escape their parameters, and every
renderer-generated piece of HTML reaches the template as a content block (a dict), never as a plain string (every
plain string of our pages was listed and found to be text). So :class:`TextPageView`, set as the view of the
validation and expectation pages (the site's ``site_section_builders``, a documented extension point), escapes the
plain strings and leaves the content blocks to their templates.

The index page lists runs in an inline script (Python ``repr`` of the rows, run names included) for a table
library to draw as HTML; its rows also hold renderer-made HTML, so escaping there is not ours to do. Run names
are therefore made plain text before GX sees them (``etl.validate.gate.run_label``): the characters that mean
something to HTML, JavaScript strings or paths are replaced by their full-width forms, and the label is kept short
enough to be a folder name (GX names a folder after the run).
"""

from __future__ import annotations

import html
from typing import Any

from great_expectations.render.view.view import DefaultJinjaPageView
from jinja2 import pass_context


class TextPageView(DefaultJinjaPageView):
    """GX's page view with every plain string of a page escaped (see the module docstring)."""

    @pass_context
    def render_content_block(
        self,
        jinja_context: Any,
        content_block: Any,
        index: Any = None,
        content_block_id: Any = None,
        render_to_markdown: bool = False,
    ) -> Any:
        if isinstance(content_block, str):
            return html.escape(content_block, quote=True)
        if isinstance(content_block, list):
            content_block = [_escaped_leaf(item) for item in content_block]
        return super().render_content_block(jinja_context, content_block, index, content_block_id, render_to_markdown)


def _escaped_leaf(item: Any) -> Any:
    """A list element that GX writes into the page as ``str(item)``, escaped; content blocks as they are."""
    if isinstance(item, dict) or hasattr(item, "to_json_dict"):
        return item
    return html.escape(str(item), quote=True)
