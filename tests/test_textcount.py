from socialbot.platforms.weibo.textcount import weibo_length


def test_chinese_counts_one_ascii_half() -> None:
    assert weibo_length("你好") == 2
    assert weibo_length("ab") == 1
    assert weibo_length("abc") == 2  # rounded up
    assert weibo_length("你好ab") == 3


def test_long_url_counts_as_ten() -> None:
    url = "https://scjgj.sh.gov.cn/wad2022/a-very-long-path/for-the-lab-open-day"
    assert weibo_length(url) == 10
    assert weibo_length("详情：" + url) == 13


def test_short_url_counts_its_length() -> None:
    assert weibo_length("http://t.cn/abc") == 8  # 15 bytes -> 7.5 -> 8


def test_140_boundary() -> None:
    assert weibo_length("字" * 140) == 140
    assert weibo_length("字" * 140 + "a") == 141
