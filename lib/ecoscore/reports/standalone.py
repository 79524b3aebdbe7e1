"""Stand-alone HTML: an executed notebook as one file that makes no request to the network.

nbconvert's own ``lab`` and ``classic`` templates load jQuery, require.js, MathJax and the
widget manager from CDNs. The ``ecoscore_report`` template (``templates/ecoscore_report``)
keeps nbconvert's cell blocks and replaces the page around them: ``lang="zh-CN"``, a
viewport for phones, the inlined ``report.css`` (CJK font stack, print rules), no
``<script>`` at all. Images are inlined as ``data:`` URIs. Every page is checked by
``external_references`` before it is written: a resource that would be fetched from
anywhere but the file itself makes the render fail instead of shipping a broken report.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nbconvert import HTMLExporter
from nbformat import NotebookNode

from ecoscore.paths import TEMPLATES

REPORT_TEMPLATE = "ecoscore_report"

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"""<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?\s*([^"')\s]+)|@import\s+["']([^"']+)""", re.I)
#: Attributes whose URL the browser fetches; ``href`` fetches on any tag but a link to click.
_FETCH_ATTRS = {"src", "srcset", "poster", "data", "background", "action", "formaction", "xlink:href", "href"}
_NAVIGATION = {"a", "area"}
_LOCAL = ("data:", "#", "about:blank")
_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)


def css() -> str:
    """Return the shared stylesheet, for pages built outside nbconvert (the cohort index)."""
    return (TEMPLATES / REPORT_TEMPLATE / "static" / "report.css").read_text(encoding="utf-8")


def make_exporter() -> HTMLExporter:
    """Return an HTML exporter for reports: no code, no prompts, offline template.

    Cells tagged ``remove_cell`` are dropped and ``remove_output`` lose their outputs.
    An exporter is not shared between threads; make one per worker.
    """
    exporter = HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    return exporter


def _tag_remover():
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, remove_all_outputs_tags={"remove_output"})


@lru_cache(maxsize=1)
def _shared_exporter() -> HTMLExporter:
    return make_exporter()


def to_html(nb: NotebookNode, title: str, exporter: HTMLExporter | None = None) -> str:
    """Return the executed notebook ``nb`` as one stand-alone HTML page titled ``title``.

    Tables are wrapped in ``<div class="table-wrap">`` so they scroll sideways on a phone
    instead of widening the page. Raises ``ValueError`` if the page would fetch anything.
    """
    exporter = exporter or _shared_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = wrap_tables(body)
    bad = external_references(body)
    if bad:
        raise ValueError(f"报告引用了外部资源(离线无法打开):{', '.join(bad[:5])}")
    return body


def wrap_tables(html: str) -> str:
    """Wrap every ``<table>`` in a horizontally scrolling ``div.table-wrap``."""
    html = _TABLE_OPEN.sub(lambda m: '<div class="table-wrap">' + m.group(0), html)
    return _TABLE_CLOSE.sub("</table></div>", html)


def external_references(html: str) -> list[str]:
    """Return every URL in ``html`` that a browser would fetch from outside the page itself.

    Only real tags are read (text that merely mentions ``src=`` is escaped and ignored).
    Links a reader may click (``<a href>``) are not fetches; ``data:`` URIs and in-page
    anchors are local. Anything else in ``src``, ``srcset``, ``href`` (``<link>``, SVG
    ``<image>``/``<use>``), CSS ``url()`` or ``@import`` is reported.
    """
    html = _COMMENT.sub("", html)
    urls: list[str] = []
    for m in _TAG.finditer(html):
        tag = m.group(1).lower()
        for a in _ATTR.finditer(m.group(2)):
            name = a.group(1).lower()
            value = next((g for g in a.groups()[1:] if g is not None), "")
            if name == "style":
                urls += _css_urls(value)
            elif name in _FETCH_ATTRS and not (name == "href" and tag in _NAVIGATION):
                parts = re.split(r",\s+", value) if name == "srcset" else [value]  # data: URIs hold commas
                urls += [p.split()[0].rstrip(",") for p in parts if p.strip()]
    for block in _STYLE_BLOCK.findall(html):
        urls += _css_urls(block)
    return [u for u in urls if not u.lower().startswith(_LOCAL)]


def _css_urls(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]
