"""The 活动总结 draft: an official-register summary stating only what the figures say.

The body is written at several levels of detail (how many item titles per activity,
whether units are named, how many best-read items) and the level whose length is
nearest 500 within 400–650 is kept, so the same figures always give the same text.

Length is counted as the brief means “500字左右”: Han characters (CJK Unified
Ideographs, Extension A and compatibility ideographs) in the body; punctuation, digits
and Latin letters are not counted. Word's 字数 counts punctuation too, so it reads higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from socialbot.report.model import Activity, Item, ReportSpec
from socialbot.report.totals import Digest, Slice, Total

BODY_MIN, BODY_TARGET, BODY_MAX = 400, 500, 650
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
COUNTING_RULE = (
    "正文汉字数：只计汉字（中日韩统一表意文字），标点、数字、字母不计；标题不计。"
)
ORDINALS = "一二三四五六七八九十"


def han_count(text: str) -> int:
    """Han characters in ``text``: the summary's length as the brief counts it."""
    return len(HAN.findall(text))


@dataclass(frozen=True)
class Detail:
    titles: int  # item titles quoted per activity
    units: bool  # name the units that carried each activity
    gaps: bool  # name the activities with nothing published
    top: int  # best-read articles named


# Most informative first: naming the activities nobody carried matters most to the city
# bureau, then the best-read items, then who carried each activity, then example titles.
LEVELS = (
    Detail(3, True, True, 3), Detail(2, True, True, 3), Detail(1, True, True, 3),
    Detail(0, True, True, 3), Detail(1, False, True, 3), Detail(0, False, True, 3),
    Detail(0, False, True, 1), Detail(0, False, False, 1),
)
COMFORTABLE = 600  # prefer a draft this short, leaving staff room to add their own words


@dataclass
class Summary:
    title: str
    unit: str
    paragraphs: list[str]
    used: list[str] = field(default_factory=list)  # report.json keys of the numbers used

    @property
    def title_lines(self) -> list[str]:
        """The title as an official document sets it: a long one in two lines, broken
        before 开展情况的总结 rather than wherever the width runs out."""
        tail = "开展情况的总结"
        if len(self.title) <= 20 or not self.title.endswith(tail):
            return [self.title]
        return [self.title[: -len(tail)], tail]

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def han_characters(self) -> int:
        return han_count(self.body)

    @property
    def length_ok(self) -> bool:
        return BODY_MIN <= self.han_characters <= BODY_MAX


def summary_title(digest: Digest) -> str:
    return f"关于{digest.figures.campaign.name}开展情况的总结"


def write_summary(digest: Digest) -> Summary:
    """The most informative draft of 400–600 Han characters, else of 400–650, else the
    one nearest that range (a note in report.json and the CLI then says so)."""
    drafts = [_Writer(digest, level).summary() for level in LEVELS]
    for upper in (COMFORTABLE, BODY_MAX):
        for draft in drafts:
            if BODY_MIN <= draft.han_characters <= upper:
                return draft

    def distance(s: Summary) -> int:
        n = s.han_characters
        return BODY_MIN - n if n < BODY_MIN else n - BODY_MAX

    return min(drafts, key=distance)  # min keeps the first (most informative) on a tie


def _day(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日"


def quoted(title: str) -> str:
    """“title”, its own double quotes turned into single ones as Chinese nesting wants."""
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def _names(names: list[str], most: int = 2, noun: str = "家单位") -> str:
    if len(names) <= most:
        return "、".join(names)
    return f"{'、'.join(names[:most])}等{len(names)}{noun}"


class _Writer:
    def __init__(self, digest: Digest, detail: Detail) -> None:
        self.d = digest
        self.f = digest.figures
        self.detail = detail
        self.used: list[str] = []
        self.city = len(self.f.units) > 1
        self.platforms = self.f.platforms

    def n(self, total: Total) -> int:
        """A number that goes into the text: remember which report.json figure it is."""
        if total.key not in self.used:
            self.used.append(total.key)
        assert total.value is not None  # callers check collection first
        return total.value

    def t(self, key: str) -> Total:
        return self.d.totals[key]

    @property
    def we(self) -> str:
        unit = self.f.reporting_unit
        if self.city:
            return "我局会同各相关单位"
        return "我局" if unit.endswith("局") else "我单位"

    def summary(self) -> Summary:
        paragraphs = [self.opening(), self.activities(), self.reach(), self.best(), self.next()]
        return Summary(summary_title(self.d), self.f.reporting_unit,
                       [p for p in paragraphs if p], self.used)

    def opening(self) -> str:
        c = self.f.campaign
        items = self.f.items
        if not items:  # say so, and claim nothing was held
            return (f"按照《{c.notice}》要求，现将{c.name}情况总结如下。本次统计的数据中，"
                    f"{'各单位' if self.city else self.we}政务新媒体账号暂无本次活动的发布记录。")
        text = f"按照《{c.notice}》要求，{self.we}围绕“{c.theme}”主题，"
        platforms = "、".join(s.label for s in self.platforms if self.f.items_of(s))
        first = min(i.published for i in items)
        last = max(i.published for i in items)
        span = _day(first) if first.date() == last.date() else f"{_day(first)}至{_day(last)}"
        text += f"依托政务{platforms}开展线上宣传。{span}，"
        accounts = self.n(self.t("accounts_publishing"))
        kinds = [f"{s.label}{self.n(self.t(s.accounts_key))}个" for s in self.platforms
                 if self.t(s.accounts_key).value]
        who = f"{self.n(self.t('units_publishing'))}家单位的" if self.city else ""
        text += f"{who}{accounts}个政务新媒体账号（{'、'.join(kinds)}）"
        text += f"共发布{self._published([self.t(s.items_key) for s in self.platforms])}，"
        text += f"涉及通知部署的{self.n(self.t('activities_held'))}项重点活动"
        silent = len(self.f.units) - (self.t("units_publishing").value or 0)
        if self.city and silent:
            text += f"，另有{silent}家单位暂无发布记录（见覆盖情况表）"
        return text + "。"

    def _published(self, counts: list[Total]) -> str:
        """微信文章12篇、微博3条: each platform's item count (in ``self.platforms`` order)."""
        return "、".join(f"{s.noun}{self.n(total)}{s.measure}"
                        for s, total in zip(self.platforms, counts, strict=True) if total.value)

    def activities(self) -> str:
        held = self.d.held
        if not held:
            return f"通知部署的{len(self.d.not_held)}项重点活动，本次统计中均暂无发布记录。"
        sentences = []
        for index, activity in enumerate(held):
            sentences.append(self._activity(index, activity, self.d.by_activity[activity.number]))
        text = "各项活动开展情况：" + "；".join(sentences) + "。"
        if self.detail.gaps and self.d.not_held:
            gaps = "、".join(quoted(a.title) for a in self.d.not_held)
            many = f"等{len(self.d.not_held)}项活动" if len(self.d.not_held) > 1 else "活动"
            text += f"通知部署的{gaps}{many}，本次统计中暂无发布记录。"
        return text

    def _activity(self, index: int, activity: Activity, part: Slice) -> str:
        text = f"{ORDINALS[index]}是{activity.title}"
        items = self.d.items_of_activity(activity.number)
        if self.city and self.detail.units:
            units = [u for u in self.f.units if any(i.unit == u for i in items)]
            text += f"，{_names(units)}发布"
        else:
            text += "，共发布"
        text += self._published([part.count(s) for s in self.platforms])
        titles = self._titles(items)
        if titles:
            text += "，如" + "".join(f"《{t}》" for t in titles)
        return text

    def _titles(self, items: list[Item]) -> list[str]:
        if not self.detail.titles:
            return []
        headline = self.f.headline

        def reach(item: Item) -> int:
            """The item's headline figure (-1: another platform's item, or not collected)."""
            if headline is None or item.platform != headline.platform:
                return -1
            figure = item.metric(headline.reach)
            return figure.value if figure else -1

        ranked = sorted(items, key=lambda i: (-reach(i), i.published, i.id))
        return list(dict.fromkeys(i.title for i in ranked))[: self.detail.titles]

    def reach(self) -> str:
        clauses = []
        for spec in self.platforms:
            if self.f.items_of(spec):
                clauses.append(self._reach(spec))
        if self.f.items or self.f.account_days:
            clauses.append(self._followers())
        if not clauses:
            return ""
        return "从传播效果看，" + "；".join(c for c in clauses if c) + "。"

    def _reach(self, spec: ReportSpec) -> str:
        said, absent, partly = [], [], set()
        noun, per = spec.noun, f"{spec.measure}{spec.item}"
        for metric in spec.metrics:
            total = self.t(spec.key(metric.name))
            if total.value is None:
                absent.append(metric.said)
                continue
            said.append(f"{metric.said}{self.n(total)}{metric.measure}")
            partly.update(total.missing)
        text = f"{noun}累计{'、'.join(said)}" if said else ""
        if partly:
            text += f"（其中{len(partly)}{per}的部分数据未采集，未计入）"
        if absent:
            text += ("，" if text else f"{noun}") + f"{'、'.join(absent)}数据未采集"
        return text

    def _followers(self) -> str:
        owner = "各账号" if self.city else "账号"
        said, absent, partly = [], [], set()
        for key, word in (("followers_gained", "新增关注"), ("followers_lost", "取消关注")):
            total = self.t(key)
            if total.value is None:
                absent.append(word)
                continue
            text = f"{word}{self.n(total)}人"
            if key == "followers_lost" and self._read_spans():
                unfollows = "、".join(s.label for s in self.platforms if s.followers_lost)
                text = f"{unfollows}{text}"  # the spans' platforms give no unfollow figure
            if key == "followers_gained":
                text += self._gained_by_platform(total)
            said.append(text)
            partly.update(total.missing)
        partly -= {s.id for s in self.f.follower_spans}  # told below, as too few readings
        if not said:
            return f"{owner}关注人数变化数据未采集" + self._few_readings()
        text = f"活动期间{owner}{'、'.join(said)}"
        if partly:
            accounts = len({ident.rsplit("@", 1)[0] for ident in partly})
            text += f"（其中{accounts}个账号共{len(partly)}天的数据未采集，未计入）"
        if absent:
            text += f"，{'、'.join(absent)}数据未采集"
        return text + self._few_readings()

    def _read_spans(self) -> bool:
        """Followers gained were read off follower totals too (a platform that gives
        only the total, and no unfollow figure, is in the sum)."""
        return any(s.gained is not None for s in self.f.follower_spans)

    def _gained_by_platform(self, total: Total) -> str:
        """（微信公众号A人、微博B人） when two or more platforms' figures are in the total."""
        parts = [(s.label, self.t(s.followers_key)) for s in self.platforms]
        parts = [(label, t) for label, t in parts if t.value is not None]
        if len(parts) < 2:
            return ""
        return "（" + "、".join(f"{label}{self.n(t)}人" for label, t in parts) + "）"

    def _few_readings(self) -> str:
        """Accounts whose follower total was read fewer than twice in the window."""
        few = [s for s in self.f.follower_spans if s.gained is None]
        if not few:
            return ""
        platforms = {a.platform for s in few if (a := self.f.account(s.account)) is not None}
        noun = "、".join(s.accounts_noun for s in self.platforms if s.platform in platforms)
        who = f"{len(few)}个{noun}" if len(few) > 1 or self.city else noun
        return (f"；{who}在活动期间的关注人数采集不足两次，无法计算新增关注，"
                "未计入上述人数")

    def best(self) -> str:
        sentences = [self._best(s) for s in self.platforms]
        sentences = [s for s in sentences if s]
        return "；".join(sentences) + "。" if sentences else ""

    def _best(self, spec: ReportSpec) -> str:
        """A platform's best items by its reach figure: a ranking, which the level of
        detail may shorten, or (``best`` 1) the single best."""
        metric = spec.reach_metric
        top = self.d.best[spec.platform][: self.detail.top if spec.best > 1 else 1]
        if not top:
            return ""
        self.used.append(spec.best_key)

        def figure(item: Item) -> str:
            found = item.metric(spec.reach)
            assert found is not None  # ranked by it
            return f"{metric.said}{found.value}{metric.measure}"

        if spec.best == 1:
            item = top[0]
            unit = f"{item.unit}发布的" if self.city else ""
            return f"{metric.said}最多的{spec.item}为{unit}《{item.title}》（{figure(item)}）"
        named = [f"《{i.title}》（{f'{i.unit}，' if self.city else ''}{figure(i)}）" for i in top]
        lead = (f"{metric.said}量最高的{spec.item}为" if len(top) == 1
                else f"{metric.said}量居前{len(top)}位的{spec.item}为")
        return lead + "、".join(named)

    def next(self) -> str:
        who = "我局" if self.city else self.we
        return (f"下一步，{who}将认真总结本次宣传活动的好做法、好经验，"
                "持续用好政务新媒体平台，常态化开展认证认可检验检测宣传，"
                "进一步提高认证认可检验检测的社会认知度和影响力。")
