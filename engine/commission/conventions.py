"""The commission's conventions (计算约定) in words, one sentence each in Chinese and English: the
same sentences are printed by the handbook's commission section, at the end of `qunce explain
--staff`, and written in docs/language.md ("Commission conventions"; a test checks all three).
Each is true of the code: the comment above it names where, and tests/commission/
test_conventions.py pins its number."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.commission import Commission


@dataclass(frozen=True)
class Convention:
    key: str
    zh: str
    en: str

    def say(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


CONVENTIONS: tuple[Convention, ...] = (
    # statements.shares, statements._one_per_person
    Convention(
        "days_share",
        "没有写按角色分配（split）时，本期在过群里的人按在岗天数分这个群的提成：您的分成比例 = 您的在岗天数 ÷ "
        "所有在岗人员的在岗天数之和（一人在同一个群兼几个角色时，按天数最多的那个角色算一次）；无人在岗的日子不扣减。",
        "Without a split by role (split:), everyone who held a group in the period shares its payout by days: your "
        "share = your days held ÷ the sum of all holders' days (one person in several "
        "roles of the group counts once, by the role with the most days); days nobody held it take nothing off."),
    # statements.build_book: the cap line from the period's own lines; clawbacks from _Ledger.paid (capped)
    Convention(
        "cap_then_clawback",
        "先封顶，后追回：个人封顶只看本期自己的各行；以往周期的订单在本期退款时，追回额 = 那一期按退款重算并封顶后的应得 − "
        "那一期封顶后已得，记在本期，不计入本期的个人封顶。",
        "The cap comes first, then the clawback: a person's cap looks at their own lines of the period only; when an "
        "order of an earlier period is refunded now, the clawback = what that period pays recomputed with the refund "
        "and capped − what it paid after its cap, shown in this period and outside this period's cap."),
    # simulate/group_daily.daily_counts, simulate/periods.group_period, units.base_amount
    Convention(
        "sales",
        "销售额 = 本期订单金额 − 本期退款金额（各按发生的日期计）；入群费（付费式入群时入群记录上的金额）不算销售额；"
        "开启退款追回时，本期对数据区间内以往周期订单的退款不减本期销售额，改在订单所属的周期追回；"
        "退款多于订单时销售额为负，按销售额比例计的奖金池为 0。",
        "Sales = the period's order amounts − its refund amounts (each by the date it happened); entry fees (the "
        "amount on a paid join) are not sales; with clawback on, a refund now of an order of an earlier period in the "
        "data window does not lower this period's sales but is clawed back from the order's period; when refunds "
        "exceed orders, sales are negative and a pool that is a share of sales is 0."),
    # simulate/periods.group_period (interaction_rate), staff_metrics.staff_values
    Convention(
        "interaction_rate",
        "一期的互动率是这一期里群存续的每一天的互动率（当天有效发言人数 ÷ 当天成员数）按天平均；建群前、解散后和数据区间外的"
        "日子不计；按人计的奖金池（per_staff）把各群按您的在岗天数加权。",
        "A period's interaction rate is the mean of the daily rates (valid speakers that day ÷ members that day) over "
        "the days of the period the group existed; days before it was created, after it ended or outside the data "
        "window do not count; a per-staff pool (per_staff) weights each group by your days held."),
    # simulate/frames.group_days, inputs._holdings
    Convention(
        "ended_at",
        "建群当天和解散当天（ended_at）都算群存续的日子：计入群在本期的天数、在岗天数和日均。",
        "The day a group is created and the day it ends (ended_at) are both days it lives: they count in its days of "
        "the period, in the days held and in the daily means."),
    # payfactor.q6, allocate.largest_remainder, statements._round
    Convention(
        "rounding",
        "达成率和提成系数保留 6 位小数，四舍五入；金额全程精确计算，最后一步才到分：先把本期全员合计四舍五入到分，"
        "按最大余数法分给每个人，再把每人的合计分到各行——各份先向下取到分，剩下的每一分给小数部分最大的一份，"
        "小数部分相同时给排在前面的一份（人按员工 id 排，行按结算单的顺序）。",
        "Attainments and factors keep 6 decimals, rounded half up; amounts stay exact until the last step: the "
        "period's total for everyone is rounded half up to the fen and spread over the people by largest remainder, "
        "then each person's total over their lines — each part rounded down to the fen, each fen left over going to "
        "the part with the largest remainder, ties to the earlier part (people in staff id order, lines in statement "
        "order)."),
    # measure.measure: weighted = q6(Σ weight × attainment)
    Convention(
        "weighted_attainment",
        "加权达成率（weighted_attainment）= Σ 本期生效的权重 × 各指标的达成率：用的是达成率而不是提成系数，"
        "不受起提线、曲线和系数封顶影响（越低越好的指标最多按 200% 计），保留 6 位小数。",
        "Weighted attainment (weighted_attainment) = Σ the weight in force this period × each KPI's attainment: the "
        "attainment, not the factor, so the floor, the curve and the factor cap do not touch it (a lower-is-better "
        "KPI counts at most 200%); kept to 6 decimals."),
    # payfactor.pay_factor
    Convention(
        "negative_attainment",
        "达成率为负（本期退款多于销售额）时提成系数为 0：曲线不从 (0, 0) 往下延长，「提成系数 = 达成率」也不取负值；"
        "退款要扣回的钱只由退款追回扣，不经提成系数再扣一次。",
        "A negative attainment (refunds above the period's sales) pays a factor of 0: the curve is not extended "
        "below (0, 0) and \"factor = attainment\" does not go negative; money a refund should take back is taken "
        "by the clawback only, never a second time through the factor."),
)


def conventions(plan: Commission, lang: str) -> list[str]:
    """The conventions that concern `plan`, in `lang`: the share by days only without a split
    (and not for a per-staff pool, paid to the person directly), cap-then-clawback only when the
    plan has both."""
    out = []
    for c in CONVENTIONS:
        if c.key == "days_share" and (plan.split or plan.pool.per_staff is not None):
            continue
        if c.key == "cap_then_clawback" and (plan.cap is None or not plan.clawback):
            continue
        out.append(c.say(lang))
    return out
