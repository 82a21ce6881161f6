"""Markdown -> safe HTML, with a maintained parser (markdown-it-py) and sanitiser (nh3)."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

# No images, iframes or scripts: a lesson page must never load anything from another host.
_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "blockquote",
         "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup", "sub"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str) -> str:
    html = _md.render(source)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def heading_levels(source: str) -> list[tuple[int, int]]:
    """(level, 1-based line within `source`) of each heading, in order."""
    return [(int(tok.tag[1]), tok.map[0] + 1) for tok in _md.parse(source)
            if tok.type == "heading_open" and tok.map]
