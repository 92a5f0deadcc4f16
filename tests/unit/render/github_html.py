"""The pull-request comment as GitHub shows it: rendered by cmark-gfm (GitHub's own renderer).

GitHub lets through the HTML we write (<details>, <summary>, <code>), so the Markdown is rendered
with raw HTML allowed: any raw element or comment that a value smuggled in would then show up in
the parsed HTML below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options


def github_html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@dataclass
class Parsed:
    tags: list[str] = field(default_factory=list)  # start tags, in order
    comments: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)  # text of each <code> (in <pre> or not)
    prose: list[str] = field(default_factory=list)  # text outside <code>
    headings: list[str] = field(default_factory=list)  # text of each h1-h6
    strong: list[str] = field(default_factory=list)  # text of each <strong>


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.tags.append(tag)
        self.open.append(tag)
        if tag == "code":
            self.out.code.append("")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.headings.append("")
        if tag == "strong":
            self.out.strong.append("")

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_comment(self, data):
        self.out.comments.append(data)

    def handle_data(self, data):
        if "code" in self.open:
            self.out.code[-1] += data
        else:
            self.out.prose.append(data)
        if any(t[0] == "h" and t[1:].isdigit() for t in self.open):
            self.out.headings[-1] += data
        if "strong" in self.open:
            self.out.strong[-1] += data


def parse(markdown: str) -> Parsed:
    parser = _Parser()
    parser.feed(github_html(markdown))
    parser.close()
    return parser.out
