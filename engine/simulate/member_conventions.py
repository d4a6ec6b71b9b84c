"""The points and levels conventions (积分与等级的计算约定) in words, one paragraph each in Chinese
and English: the same paragraphs are printed by the handbook (at the end of its points section,
else of its membership section), at the end of `qunce explain --member`, and written in
docs/language.md ("Points and levels conventions"; tests/simulate/test_member_conventions.py
checks all three). Each is true of the code: the comment above it names where, and the tests pin
its numbers."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.membership import Membership


@dataclass(frozen=True)
class Convention:
    key: str
    zh: str
    en: str

    def say(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


# The heading and the line before the list, in the handbook and in explain --member.
TITLE = {"zh": "计算约定", "en": "How it is counted"}
INTRO = {"zh": "下面这些约定决定积分和等级怎么算；命令 qunce explain --member 打印的成员明细末尾也列出它们。",
         "en": "These conventions decide how points and levels are worked out; the member timeline that qunce "
               "explain --member prints ends with them too."}

CONVENTIONS: tuple[Convention, ...] = (
    # points._earn, points._floor_per_yuan (a floor per event row, then the cap's window)
    Convention(
        "per_yuan",
        "按金额计积分（per_yuan）逐条记录向下取整到整数积分：积分 = 向下取整（金额 × 每元积分），如 19.99 元 × 1 → 19 "
        "积分，9.90 元 × 0.5 → 4 积分；同一笔订单分几行记录时每行各自取整；先取整，再算积分上限。",
        "Points per yuan (per_yuan) are rounded down to whole points record by record: points = floor(amount × "
        "per_yuan), e.g. ¥19.99 × 1 → 19 points, ¥9.90 × 0.5 → 4 points; an order written over several rows is "
        "rounded row by row; rounding comes before the earning cap."),
    # points._earn: a running sum per member, rule and calendar day / week (Monday) / month
    Convention(
        "cap",
        "积分上限（cap）按规则、按人、按自然日 / 自然周（周一起）/ 自然月计：按时间先后累计，达到上限的那一次只得到"
        "剩下的部分（每次 3 积分、上限 10：3、3、3、1），同一天、周或月里之后的不再得积分。",
        "An earning cap (cap) counts per rule, per member and per calendar day, week (from Monday) or month: "
        "events count in time order, the one that reaches the cap earns what is left (3 points each, cap 10: 3, 3, "
        "3, 1) and later ones in the same day, week or month earn nothing."),
    # points._refund_entries: floor(P × min(refunded so far, A) / A) per rule, P after the cap
    Convention(
        "partial_refund",
        "退款按比例扣回这笔订单实际得到的积分——有积分上限时是封顶后实际得到的，不是封顶前的：到某次退款为止累计扣回 = "
        "向下取整（订单实得积分 × 累计退款金额 ÷ 订单金额），每条积分规则各算各的；分几次退完正好扣完，退款超过订单金额"
        "也不多扣。没有订单号、或找不到这位成员在退款之前下的这笔订单的退款，不扣积分。",
        "A refund takes back the same share of the points its order actually earned — after the earning cap, not "
        "before: taken back up to a refund = floor(the order's points × refunded so far ÷ the order's amount), rule "
        "by rule; refunding the whole order in parts takes everything back, refunding more than the order's amount "
        "takes no more. A refund without an order_id, or whose order this member did not place before it, takes "
        "nothing back."),
    # points.member_points (date > as_of − N, earn and refund entries; earned_total), members.features_at
    # (as_of = the period's last day inside the window), members.simulate_members (history_start)
    Convention(
        "windows",
        "近 N 天积分（如 points_90d）= 评定日及之前共 N 天（含评定日）获得的积分，减去这些天里退款扣回的积分；评定日是"
        "每期的最后一天（数据区间在期中结束时是区间的最后一天），如 2027 年 1 月的近 90 天是 2026-11-03 至 "
        "2027-01-31。累计积分（points_total）同样扣除退款，从数据里最早的事件算起。退款记在退款当天：窗口内退掉窗口之前"
        "订单的积分，窗口里的积分会减少，甚至为负。过期不减少这两项，只减少积分余额（points_balance）。",
        "Points in the last N days (points_90d …) = the points earned on the evaluation day and the N − 1 days "
        "before it, less the points refunds took back on those days; the evaluation day is the period's last day "
        "(the window's last day when the data window ends mid-period): for January 2027, points_90d counts "
        "2026-11-03 to 2027-01-31. Points all time (points_total) are net of refunds too, from the data's first "
        "event. A refund counts on its own day: one inside the window of an order from before it lowers the "
        "window's points, possibly below 0. Expiry lowers neither, only the points balance (points_balance)."),
    # points.expiry_days (whole days, rounded up), points._expire_entries (batch + days)
    Convention(
        "expiry",
        "积分有效期（expire_after）按天计，不足一天按一天；一天获得的积分是一批：有效期 365 天时，2027-01-01 获得的积分"
        "在 2027-12-31 仍有效，2028-01-01 过期。",
        "Points expire (expire_after) in whole days, part of a day counting as a day; a day's points are one "
        "batch: with 365 days, points earned on 2027-01-01 are still valid on 2027-12-31 and expire on "
        "2028-01-01."),
    # points.KINDS (earn < refund < expire), points._expire_entries (R_i: refunds dated on or before the
    # expiry day; max over k ≤ i), the module docstring (a debt is paid first and never expires)
    Convention(
        "expiry_refund",
        "退款先扣最早的一批积分（不论是哪笔订单得的），每批到期时过期的是这批还剩下的部分；同一天里先记获得，再扣退款，"
        "最后过期，所以过期当天的退款仍先从这批积分里扣。积分过期后再退款也照样扣回：余额可以变成负数，之后获得的积分"
        "先补上欠的部分（补欠的积分不再过期）。",
        "Refunds take from the oldest batch first (whichever order earned it), and what expires is what is left of "
        "the batch; on one day, points earned come first, then refunds, then expiry, so a refund on the day a batch "
        "expires still takes from that batch. A refund after the points expired still takes them back: the balance "
        "may go below 0, and the next points earned pay that off first (points paying it off never expire)."),
    # levels.evaluate_levels: stay restarts at 1 whenever the level changes; demoted only when stay > min_stay
    Convention(
        "min_stay",
        "保级期（min_stay）保护每一次到达的等级，晋升到达和降级到达都一样：到达之后的 min_stay 次评定里，保级条件未达标"
        "也不降级（晋升照常）；按所在等级自己的保级期算。例如保级期为 1、1 月晋升：2 月底的评定不降级，3 月底起照常"
        "看保级条件。",
        "The protected periods (min_stay) protect every level reached, by promotion or by demotion alike: for the "
        "min_stay evaluations after the one that reached it, the member is not demoted even when the keep "
        "condition fails (promotion goes on as usual); the level held sets the number. E.g. min_stay 1, promoted "
        "in January: not demoted at the end of February, judged by the keep condition again from the end of "
        "March."),
    # levels.evaluate_levels (demotion one_step: rank − 1)
    Convention(
        "demotion_one_step",
        "每期最后一天评定一次，先看晋升：满足更高等级的晋升条件就升到满足的最高一级（可连升多级）；否则所在等级的保级条件"
        "（keep_when，没写时用晋升条件）未达标、又不在保级期内，就降一级——逐级降级每次只降一级，不看更低等级的条件。",
        "Levels are evaluated on each period's last day, promotion first: a member who meets a higher level's "
        "promotion condition goes to the highest such level (possibly several at once); otherwise, when the keep "
        "condition of the level held (keep_when, else its promote_when) fails outside its protected periods, the "
        "member falls one level — one_step falls one level at a time and reads no lower level's condition."),
    # levels.evaluate_levels (demotion recompute: the highest i < rank whose keep condition holds, else 0)
    Convention(
        "demotion_recompute",
        "每期最后一天评定一次，先看晋升：满足更高等级的晋升条件就升到满足的最高一级（可连升多级）；否则所在等级的保级条件"
        "（keep_when，没写时用晋升条件）未达标、又不在保级期内，就降级——重新计算时降到比所在等级低、保级条件仍达标的最高"
        "一级（看的是这些等级的保级条件，不是晋升条件），都未达标时降到第一级。",
        "Levels are evaluated on each period's last day, promotion first: a member who meets a higher level's "
        "promotion condition goes to the highest such level (possibly several at once); otherwise, when the keep "
        "condition of the level held (keep_when, else its promote_when) fails outside its protected periods, the "
        "member is demoted — recompute goes to the highest lower level whose keep condition still holds (their "
        "keep conditions, not their promotion conditions), or to the first level when none does."),
)


def applicable(membership: Membership | None) -> list[str]:
    """The keys of the conventions that concern `membership`: points ones only with earning rules
    (per yuan, cap, refunds of orders, expiry as the playbook has them), min_stay only when a
    level has one, the demotion policy it uses only with two levels or more."""
    if membership is None:
        return []
    keys: list[str] = []
    points = membership.points
    if points is not None and points.earn:
        orders = any(rule.on == "order" for rule in points.earn)
        refunds = points.refunds_deduct and orders
        wanted = {"per_yuan": any(rule.per_yuan is not None for rule in points.earn),
                  "cap": any(rule.cap is not None for rule in points.earn),
                  "partial_refund": refunds, "windows": True,
                  "expiry": points.expire_after is not None,
                  "expiry_refund": points.expire_after is not None and refunds}
        keys += [key for key, shown in wanted.items() if shown]
    if any(level.min_stay for level in membership.levels):
        keys.append("min_stay")
    if len(membership.levels) > 1:
        keys.append(f"demotion_{membership.demotion}")
    return keys


def conventions(membership: Membership | None, lang: str) -> list[str]:
    """The conventions that concern `membership`, in `lang`, in CONVENTIONS' order."""
    keys = set(applicable(membership))
    return [c.say(lang) for c in CONVENTIONS if c.key in keys]
