"""Markdown as safe HTML, and as a plain-text teaser: for what creators and staff write
(exclusive posts, Academy lessons).

Rendered with markdown-it-py (CommonMark, raw HTML off, so typed tags are shown as text) and
the result sanitised again with nh3 against a short list of formatting tags: the HTML is safe
to show as is, whatever was typed.
"""

import re
from collections.abc import Iterable

import nh3
from django.utils.html import strip_tags
from markdown_it import MarkdownIt
from markdown_it.token import Token

TEASER_CHARS = 140

# The tags rendered Markdown may use: text formatting, links, lists, quotes, code.
# No img (a post's picture is its own upload), no tables, no script or style, no attributes
# but a link's href and title.
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow ugc"

# Pictures in a body would be hot-linked from anywhere (a post has one uploaded picture).
# markdown-it renders ![alt](url) as a link then, so nothing typed silently disappears.
_renderer = MarkdownIt("commonmark", {"html": False}).disable("image")
# The teaser reads the same source with pictures recognised, so it can leave them out.
_reader = MarkdownIt("commonmark", {"html": False})


def sanitise(html: str) -> str:
    """Only ALLOWED_TAGS with their few attributes; links get rel="noopener nofollow ugc" and
    may point only to http, https and mailto URLs; script and style go with their content."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(markdown: str) -> str:
    """Markdown as sanitised HTML. Headings move one level down: the page's title is
    the only h1."""
    tokens = _renderer.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return sanitise(_renderer.renderer.render(tokens, _renderer.options, {}))


def _plain_text(tokens: list[Token]) -> Iterable[str]:
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue  # code blocks and rules tell a reader nothing in a teaser
        for child in token.children:
            if child.type in ("text", "code_inline"):
                yield child.content
            elif child.type in ("softbreak", "hardbreak"):
                yield " "
        yield " "


def teaser(markdown: str, limit: int = TEASER_CHARS) -> str:
    """The opening words of a post as plain text, at most `limit` characters: what a reader
    without access sees. Read from the Markdown source, never from the rendered HTML."""
    text = strip_tags("".join(_plain_text(_reader.parse(markdown))))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:!?-–—") + "…"
