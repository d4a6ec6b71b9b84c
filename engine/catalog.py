"""The names conditions may use: member features and group metrics, with their labels,
types and definitions (domain.md's metric table is the contract; the handbook prints it).

Windowed names take a suffix of days: `messages_30d`, `interaction_rate_7d`.
Chinese labels work too: `近90天积分` is `points_90d`, `累计订单数` is `orders_total`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_WINDOW_DAYS = 730


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    zh: str
    en: str
    type: str = "number"  # number | text | bool
    unit: str = ""  # "ratio" prints as a percentage; "yuan" as money
    definition_zh: str = ""
    definition_en: str = ""
    stage: str = ""
    windowed: bool = True  # also offered as `<id>_<N>d` and `<id>_total`


def _m(id: str, zh: str, en: str, unit: str = "", stage: str = "", dzh: str = "", den: str = "",
       type: str = "number", windowed: bool = True) -> Metric:
    return Metric(id, zh, en, type, unit, dzh, den, stage, windowed)


# Per member, as of the evaluation day. Windowed: `<id>_<N>d` and `<id>_total`.
MEMBER_COUNTS = {m.id: m for m in (
    _m("messages", "发言数", "messages"),
    _m("active_days", "发言天数", "days with a message"),
    _m("orders", "订单数", "orders"),
    _m("order_amount", "消费金额", "amount ordered", "yuan"),
    _m("refunds", "退款次数", "refunds"),
    _m("refund_amount", "退款金额", "amount refunded", "yuan"),
    _m("referrals", "推荐人数", "referrals"),
    _m("checkins", "签到次数", "check-ins"),
    _m("points", "积分", "points"),
    _m("surveys", "问卷次数", "surveys answered"),
    _m("reaches", "触达次数", "times reached"),
)}
LAST_EVENTS = {"message": ("发言", "message"), "order": ("下单", "order"), "checkin": ("签到", "check-in"),
               "referral": ("推荐", "referral"), "join": ("入群", "join"), "reach": ("触达", "reach")}
MEMBER_SINGLE = {m.id: m for m in (
    _m("tenure_days", "入群天数", "days since joining", windowed=False),
    _m("points_balance", "积分余额", "points balance", windowed=False),
    _m("avg_score", "平均评分", "average survey score", windowed=False),
    _m("level", "会员等级", "membership level", type="text", windowed=False),
    _m("level_rank", "等级序号", "level rank (0 = lowest)", windowed=False),
    _m("group_type", "群类型", "group type", type="text", windowed=False),
    *(_m(f"days_since_last_{k}", f"距上次{zh}天数", f"days since the last {en}", windowed=False)
      for k, (zh, en) in LAST_EVENTS.items()),
)}

# Per group (and, summed over a staff member's groups, per staff member), over a period or window.
GROUP_METRICS = {m.id: m for m in (
    _m("members", "群成员数", "members", "", "acquisition", "按剧本的口径（期初、期末或平均）统计的群成员数",
       "members in the group, by the playbook's convention (start, end or average)"),
    _m("new_members", "新增人数", "new members", "", "acquisition", "期内入群人数", "joins in the period"),
    _m("leaves", "退群人数", "members who left", "", "acquisition", "期内退群人数", "members who left in the period"),
    _m("net_new_members", "净增人数", "net new members", "", "acquisition", "新增人数 − 退群人数", "new members − members who left"),
    _m("exposures", "曝光量", "exposures", "", "acquisition", "入群渠道的曝光次数", "exposures of the entry channels"),
    _m("join_rate", "入群率", "join rate", "ratio", "acquisition", "入群人数 ÷ 入群渠道曝光量",
       "members joined ÷ exposures of the entry channel"),
    _m("leave_rate", "退群率", "leave rate", "ratio", "acquisition", "期内退群人数 ÷ 群成员数",
       "members who left in the period ÷ members in the group"),
    _m("speakers", "发言人数", "members who posted", "", "activation", "期内发过有效消息的人数", "members who posted a valid message"),
    _m("interaction_rate", "互动率", "interaction rate", "ratio", "activation",
       "当天发过有效消息的成员数 ÷ 群成员数（多日取日均）",
       "members who posted a valid message that day ÷ members (averaged over days)"),
    _m("messages", "消息总量", "total messages", "", "activation", "期内消息条数", "messages in the period"),
    _m("messages_per_member", "人均消息量", "messages per member", "", "activation", "消息总量 ÷ 群成员数",
       "total messages ÷ members"),
    _m("retention_rate", "留存率", "retention rate", "ratio", "retention",
       "期内新成员在 N 天后（默认 7 天）仍在群的比例", "new members of the period still in the group after N days (default 7) ÷ new members",
       windowed=False),
    _m("orders", "订单数", "orders", "", "monetisation", "期内订单数", "orders in the period"),
    _m("buyers", "下单人数", "members who ordered", "", "monetisation", "期内下过单的成员数", "members who ordered"),
    _m("sales", "销售额", "sales", "yuan", "monetisation", "期内订单金额减退款", "order amount less refunds"),
    _m("conversion_rate", "转化率", "conversion rate", "ratio", "monetisation", "订单数 ÷ 群成员数", "orders ÷ members"),
    _m("average_order_value", "客单价", "average order value", "yuan", "monetisation", "订单金额 ÷ 下单人数",
       "order amount ÷ members who ordered"),
    _m("cost", "投入", "cost", "yuan", "monetisation", "期内投入（成本事件金额）", "cost recorded in the period"),
    _m("roi", "投入产出比", "ROI", "", "monetisation", "销售额 ÷ 投入；大于 1 值得继续投入", "sales ÷ cost; keep investing while above 1"),
    _m("reach_rate", "触达率", "reach rate", "ratio", "private_domain", "被触达的成员数 ÷ 群成员数", "members reached ÷ members"),
    _m("per_customer_return", "单客回报率", "per-customer return", "yuan", "private_domain", "销售额 ÷ 客户数",
       "revenue ÷ customers"),
    _m("referral_rate", "推荐率", "referral rate", "ratio", "private_domain", "推荐过他人的成员数 ÷ 群成员数",
       "members who referred someone ÷ members"),
    _m("csat", "用户满意度", "satisfaction", "", "private_domain", "问卷评分（1–5）的平均值", "average survey score (1–5)"),
    _m("age_days", "群龄天数", "days since the group was created", windowed=False),
    _m("days_to_end", "距结束天数", "days until the group ends", windowed=False),
    _m("days_since_last_message", "距上次发言天数", "days since the last message", windowed=False),
    _m("group_type", "群类型", "group type", type="text", windowed=False),
)}

# Fields of one event, for filters such as a custom metric's `where`.
EVENT_FIELDS = {m.id: m for m in (
    _m("type", "事件类型", "event type", type="text", windowed=False),
    _m("channel", "渠道", "channel", type="text", windowed=False),
    _m("amount", "金额", "amount", "yuan", windowed=False),
    _m("score", "评分", "score", windowed=False),
    _m("count", "数量", "count", windowed=False),
    _m("removed", "被移出", "removed by staff", type="bool", windowed=False),
    _m("staff_role", "员工角色", "staff role", type="text", windowed=False),
)}

# Per staff member and commission period, besides the group metrics.
COMMISSION_EXTRA = {m.id: m for m in (
    _m("weighted_attainment", "加权达成率", "weighted attainment", "ratio", windowed=False),
    _m("groups", "负责群数", "groups held", windowed=False),
    # SOP 考核 (assess/, docs/sop-assessment.md): the unit's tasks in the period (a staff member's,
    # or a group's); 1 and 0 when it had none to assess.
    _m("sop_on_time_rate", "SOP准时率", "SOP on-time rate", "ratio", windowed=False,
       dzh="本期按时完成的 SOP 任务 ÷（按时 + 迟做 + 漏做）；没有可考核的任务时为 1",
       den="SOP tasks done on time ÷ (on time + late + missed) in the period; 1 with no task to assess"),
    _m("sop_missed", "SOP漏做数", "SOP tasks missed", windowed=False,
       dzh="本期漏做的 SOP 任务数", den="SOP tasks missed in the period"),
    _m("warnings_acted_rate", "预警跟进率", "churn warnings followed up", "ratio", windowed=False,
       dzh="本期的流失预警中负责人按期一对一触达的比例；没有预警时为 1",
       den="the share of the period's churn warnings whose owner reached the member by the due day; 1 with none"),
)}

# The SOP assessment's metrics among them: a KPI may measure these too (the others are the plan's own).
KPI_EXTRA = ("sop_on_time_rate", "sop_missed", "warnings_acted_rate")

# Every place a scope's conditions are evaluated computes every name the scope offers (Names),
# except these: place → (the canonical names its rows lack, why). Validation refuses them there
# (Q207); tests hold the simulator's stages to the rest.
NOT_COMPUTED: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    # lifecycle states, and the custom group metrics they read: a group on a day
    "group_day": (frozenset({"retention_rate"}), {
        "en": "lifecycle states are judged on every day, and it is measured per period only",
        "zh": "生命周期状态按天判定，而它只按周期统计"}),
    # commission conditions of a per_staff pool: a staff member over the groups they held
    "staff_member": (frozenset({"group_type"}), {
        "en": "a per_staff pool pays each staff member on all the groups they held, which may differ",
        "zh": "按人计提（per_staff）时按员工负责的全部群计算，各群未必相同"}),
    # custom member metrics' expressions: computed before the levels, whose conditions may read them
    "member_metric": (frozenset({"level", "level_rank"}), {
        "en": "custom member metrics are computed before the levels, whose conditions may read them",
        "zh": "自定义成员指标在会员等级之前计算（等级条件可能读取它们）"}),
}

SCOPE_LABELS = {
    "member": ("成员", "member"),
    "group": ("群", "group"),
    "staff": ("提成", "commission"),
    "event": ("事件", "event"),
}

_WINDOW = re.compile(r"^(?P<base>[a-z][a-z0-9_]*?)_(?P<days>\d+)d$")
_TOTAL = re.compile(r"^(?P<base>[a-z][a-z0-9_]*?)_total$")
_ZH_WINDOW = re.compile(r"^近(?P<days>\d+)天(?P<label>.+)$")
_ZH_TOTAL = re.compile(r"^累计(?P<label>.+)$")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A name as written, resolved to its canonical id and meaning."""

    id: str
    metric: Metric
    days: int | None = None  # window length; None for totals and unwindowed names
    total: bool = False

    def label(self, lang: str) -> str:
        base = self.metric.zh if lang == "zh" else self.metric.en
        if self.total:
            return f"累计{base}" if lang == "zh" else f"{base} (all time)"
        if self.days is not None:
            return f"近{self.days}天{base}" if lang == "zh" else f"{base} in the last {self.days} days"
        return base


class Names:
    """The names known in one scope: built-ins plus custom metrics and extras."""

    def __init__(self, scope: str, custom: dict[str, Metric] | None = None,
                 values: dict[str, dict[str, str]] | None = None) -> None:
        self.scope = scope
        self.custom = custom or {}
        # Text names with a closed set of values (level → level ids), each id → its label.
        self.values = values or {}
        if scope == "member":
            self.windowed, self.single = MEMBER_COUNTS, MEMBER_SINGLE
        elif scope in ("group", "staff"):
            self.windowed = {k: v for k, v in GROUP_METRICS.items() if v.windowed}
            self.single = {k: v for k, v in GROUP_METRICS.items() if not v.windowed}
            if scope == "staff":
                self.single = {**self.single, **COMMISSION_EXTRA}
        else:
            self.windowed, self.single = {}, dict(EVENT_FIELDS)
        self.single = {**self.single, **self.custom}
        self.by_label = {m.zh: m for m in (*self.windowed.values(), *self.single.values())}
        # Statements and explanations resolve the same few names hundreds of thousands of times.
        self._resolved: dict[str, Resolved | None] = {}

    def resolve(self, name: str) -> Resolved | None:
        """The canonical meaning of `name`, or None when it is unknown here."""
        try:
            return self._resolved[name]
        except KeyError:
            resolved = self._resolved[name] = self._resolve(name)
            return resolved

    def _resolve(self, name: str) -> Resolved | None:
        if name in self.single:
            return Resolved(name, self.single[name])
        if name in self.windowed:
            # A bare windowed name means the current period (group scope) or all time (member
            # scope, where it is the same feature as `<name>_total`).
            if self.scope == "member":
                return Resolved(f"{name}_total", self.windowed[name], total=True)
            return Resolved(name, self.windowed[name])
        if name in self.by_label:
            return self._resolve(self.by_label[name].id)
        for pattern, total in ((_WINDOW, False), (_TOTAL, True), (_ZH_WINDOW, False), (_ZH_TOTAL, True)):
            match = pattern.match(name)
            if not match:
                continue
            groups = match.groupdict()
            metric = self.windowed.get(groups.get("base", "")) or self._by_zh(groups.get("label", ""))
            if metric is None:
                return None
            if total:
                return Resolved(f"{metric.id}_total", metric, None, True)
            days = int(groups["days"])
            if not 1 <= days <= MAX_WINDOW_DAYS:
                return None
            return Resolved(f"{metric.id}_{days}d", metric, days)
        return None

    def _by_zh(self, label: str) -> Metric | None:
        for metric in self.windowed.values():
            if metric.zh == label:
                return metric
        return None

    def offered(self, windows: Iterable[int] = (7, 30)) -> list[Resolved]:
        """Every canonical name this scope offers: each single name, and each windowed one bare,
        over each of `windows` days (any N from 1 to MAX_WINDOW_DAYS; these stand for them) and
        all time. What the stages computing this scope must provide (a test holds them to it)."""
        written = [*self.single, *self.windowed]
        written += [f"{key}_{days}d" for key in self.windowed for days in windows]
        written += [f"{key}_total" for key in self.windowed]
        found = {r.id: r for r in (self.resolve(name) for name in written) if r is not None}
        return list(found.values())

    def examples(self) -> list[str]:
        """Names to suggest for did-you-mean: ids and Chinese labels, with the common windows."""
        out = list(self.single) + [m.zh for m in self.single.values()]
        for key, metric in self.windowed.items():
            out += [key, f"{key}_7d", f"{key}_30d", f"{key}_90d", f"{key}_total"]
            out += [metric.zh, f"近7天{metric.zh}", f"近30天{metric.zh}", f"近90天{metric.zh}", f"累计{metric.zh}"]
        return out
