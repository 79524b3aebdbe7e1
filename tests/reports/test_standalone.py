"""The offline report template and the check that a page fetches nothing."""

from __future__ import annotations

import base64

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ecoscore.reports.standalone import external_references, to_html, wrap_tables

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5dd4f5b0000000049454e44ae426082"
)).decode()


def notebook():
    code = new_code_cell("secret_source_code = 1", outputs=[
        new_output("display_data", data={"text/html": "<p>表格</p><table><tr><td>1</td></tr></table>"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"}),
        new_output("stream", name="stderr", text="FutureWarning: noise"),
        new_output("stream", name="stdout", text="printed"),
    ])
    empty = new_code_cell("x = 1")
    hidden = new_code_cell("y = 2", outputs=[new_output("stream", name="stdout", text="HIDDEN")],
                           metadata={"tags": ["remove_output"]})
    md = new_markdown_cell("## 小节\n\n正文 $x^2$")
    nb = new_notebook(cells=[md, code, empty, hidden])
    nbformat.validate(nb)
    return nb


def test_report_page_is_offline_chinese_and_shows_no_code():
    page = to_html(notebook(), "测试 <标题>")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "width=device-width, initial-scale=1" in page
    assert "<title>测试 &lt;标题&gt;</title>" in page
    assert "<script" not in page and "http" not in page.replace(PNG, "")
    assert "secret_source_code" not in page and "In&nbsp;[" not in page
    assert "FutureWarning" not in page and "HIDDEN" not in page
    assert "printed" in page and "小节" in page
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert '<div class="table-wrap"><table>' in page
    assert "Microsoft YaHei" in page and "@media print" in page
    assert external_references(page) == []


def test_wrap_tables_wraps_each_table():
    assert wrap_tables("<TABLE a=1><tr></tr></table >") == '<div class="table-wrap"><TABLE a=1><tr></tr></table></div>'


def test_external_references_finds_fetches_not_mentions_or_links():
    html = (
        '<p>&lt;img src=http://a&gt; src=x</p>'
        '<a href="https://example.org/">链接</a>'
        '<img alt="<img src=y>" src="data:image/png;base64,AA">'
        '<img src="https://cdn.example/x.png">'
        '<link rel="stylesheet" href="//cdn.example/x.css">'
        '<div style="background:url(http://a/b.png)"></div>'
        '<style>@import "https://f"; .a{background:url(\'local.png\')}</style>'
        '<!-- <script src="http://c"></script> -->'
        '<svg><image href="pic.png"/></svg>'
        '<img srcset="a.png 1x, data:image/png;base64,AA 2x">'
        '<script src="https://cdn/require.js"></script>'
    )
    assert external_references(html) == [
        "https://cdn.example/x.png", "//cdn.example/x.css", "http://a/b.png", "pic.png", "a.png",
        "https://cdn/require.js", "https://f", "local.png",
    ]
