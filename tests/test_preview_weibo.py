"""The Weibo card's text in the preview: links shown the way followers see them."""

from __future__ import annotations

from socialbot.platforms.weibo import LINK_LABEL as WEIBO_LINK_LABEL
from socialbot.platforms.weibo import _text_html as _weibo_html


def test_links_become_chips_with_the_real_address() -> None:
    text = "见 https://scjgj.sh.gov.cn/a?x=1&y=2 和 http://example.cn/b\n第二行"
    html = str(_weibo_html(text))
    assert html.count(WEIBO_LINK_LABEL) == 2
    assert 'href="https://scjgj.sh.gov.cn/a?x=1&amp;y=2"' in html
    assert 'href="http://example.cn/b"' in html
    assert ">https://" not in html  # the address is never shown as text
    assert html.endswith("<br>第二行")


def test_text_is_escaped() -> None:
    html = str(_weibo_html("<script>alert(1)</script> https://a.cn/'onmouseover='1"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://a.cn/&#39;onmouseover=&#39;1"' in html
