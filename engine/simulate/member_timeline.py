"""`qunce explain --member ID`: one member's timeline in words a group owner reads — groups
joined and left, points earned, taken back and expired (each line naming the playbook's rule),
level changes with the condition that decided them and the member's actual values, 保级期
(min_stay) protection, segment and churn warnings per period, and at the end how points and
levels are counted (member_conventions). It runs the member stages of the simulation on that
member's events only (every member-side number depends on the member's own events alone)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..bilingual import pick
from ..catalog import Names
from ..errors import InputError
from ..event_contract import EVENT_TYPES
from ..expr.evaluate import evaluate
from ..expr.parse import parse
from ..expr.phrasing import in_words, is_money
from ..expr.tree import Expr, Logic, Unary, names_in
from ..gc_pause import gc_paused
from ..model.membership import EarnRule, Level
from .context import SimContext
from .member_conventions import TITLE, conventions
from .points import rule_names

WORDS = {
    "member": ("Member", "成员"),
    "joined": ("joined", "入群"),
    "left": ("left", "退群"),
    "values": ("values at the evaluation ({day})", "评定时的数值（截至 {day}）"),
    "points": ("points", "积分"),
    "opening": ("balance brought in {n}", "期初余额 {n}"),
    "earned": ("earned {n}", "本期获得 {n}"),
    "refunded": ("taken back by refunds {n}", "退款扣回 {n}"),
    "expired": ("expired {n}", "过期 {n}"),
    "balance": ("balance at the end {n}", "期末余额 {n}"),
    "level": ("level", "等级"),
    "segment": ("segment", "分类"),
    "none": ("none", "无"),
    "and": (" and ", " 且 "),
    "or": (" or ", " 或 "),
    "not": ("not ", "并非 "),
    "actual": ("actual", "实际"),
    "not_met": ("not met", "未达标"),
    "unassigned": ("nobody", "未指定"),
}
# An earn line names what earned it: 下单得积分 / earned … for an order.
EARN_EN = {"join": "joining", "leave": "leaving", "message": "messages", "order": "an order", "refund": "a refund",
           "referral": "referrals", "checkin": "check-ins", "survey": "surveys", "reach": "being reached",
           "task": "tasks", "exposure": "exposures", "cost": "costs"}
CAP_ZH = {"day": "当天", "week": "本周", "month": "本月"}
CAP_EN = {"day": "daily", "week": "weekly", "month": "monthly"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _w(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


@gc_paused()
def member_timeline(ctx: SimContext, member_id: str, lang: str = "en") -> list[str]:
    """The lines of one member's timeline, in `lang` (zh or en)."""
    from .members import simulate_members

    # Stored: the member stage's queries then read a table, whoever the member, and their SQL is
    # the same from one member to the next (sql_cache: compiled once).
    events, rows = ctx.stored("explain_events", ctx.events.filter(ctx.events.member_id == member_id))
    if rows == 0:
        raise InputError(f"member {member_id} has no events in the data", f"数据中没有成员 {member_id} 的事件")
    result = simulate_members(ctx, events, tag="_explain", features=True)
    order = ["ts", "row"] if "row" in events.columns else ["ts"]
    mine = _rows(ctx.con, events.order_by(order).select("ts", "date", "type", "group_id", "order_id", "amount"))
    say = _Say(ctx, lang)
    lines = [f"{_w('member', lang)} {member_id}"]
    lines += [f"  {row['ts']:%Y-%m-%d %H:%M} {_w('joined' if row['type'] == 'join' else 'left', lang)}"
              f"{'' if say.zh else ' '}{say.group(row['group_id'])}" for row in mine if row["type"] in ("join", "leave")]
    ledger = sorted(_rows(ctx.con, result.ledger), key=lambda e: e["seq"])
    caps = say.caps_reached(ledger)
    orders = _Orders(mine)
    level_rows = sorted(_rows(ctx.con, result.levels), key=lambda r: r["period"])
    segments = {row["period"]: row for row in _rows(ctx.con, result.segments)}
    warnings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # In churn_warnings' own order (tables are read back in no set order).
    for row in sorted(_rows(ctx.con, result.churn), key=lambda r: (r["period"], r["warning"], r["group_id"] or "")):
        warnings[row["period"]].append(row)
    for period in ctx.periods:
        lines.append("")
        lines.append(f"{say.period(period.label)}{say.lp}{say.days(period.first, period.last)}{say.rp}")
        features = _rows(ctx.con, result.features[period.label])
        values = {k: v for k, v in (features[0] if features else {}).items() if k not in ("member_id", "period")}
        if values:
            shown = say.sep.join(f"{say.label(k)} {say.value(k, v)}" for k, v in values.items())
            lines.append(f"  {_w('values', lang).format(day=period.last)}{say.colon}{shown}")
        if ledger:
            lines += _points(say, ledger, period.first, period.last, caps, orders)
        level = next((r for r in level_rows if r["period"] == period.label), None)
        if level is not None:
            lines.append(f"  {_w('level', lang)}{say.colon}{say.level_change(level, values, level_rows)}")
        current = {"level": level["level"], "level_rank": say.rank(level["level"])} if level is not None else {}
        segment = segments.get(period.label)
        if segment is not None:
            lines.append(f"  {_w('segment', lang)}{say.colon}"
                         f"{segment.get('segment_name') or segment['segment'] or _w('none', lang)}")
        for warning in warnings.get(period.label, []):
            lines.append(f"  {say.warning(warning, {**values, **current})}")
    said = conventions(ctx.playbook.membership, lang)
    if said:
        lines += ["", f"{TITLE[lang]}{say.colon.strip()}"] + [f"  - {text}" for text in said]
    return lines


def _points(say: _Say, ledger: list[dict[str, Any]], first: dt.date, last: dt.date,
            caps: set[int], orders: _Orders) -> list[str]:
    """The period's points: opening balance, sums by kind, closing balance, then each entry."""
    before = [e for e in ledger if e["date"] < first]
    mine = [e for e in ledger if first <= e["date"] <= last]
    sums = {kind: sum(e["points"] for e in mine if e["kind"] == kind) for kind in ("earn", "refund", "expire")}
    closing = (mine or before)[-1]["balance"] if (mine or before) else 0
    parts = [_w("opening", say.lang).format(n=_count(before[-1]["balance"]))] if before else []
    parts += [_w("earned", say.lang).format(n=_signed(sums["earn"])),
              _w("refunded", say.lang).format(n=_signed(sums["refund"])),
              _w("expired", say.lang).format(n=_signed(sums["expire"])),
              _w("balance", say.lang).format(n=_count(closing))]
    out = [f"  {_w('points', say.lang)}{say.colon}{say.sep.join(parts)}"]
    out += [f"    {entry['date']} {say.entry(entry, entry['seq'] in caps, orders)}" for entry in mine]
    return out


class _Orders:
    """The member's order amounts and refunds per order and day, for the refund lines."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.amount: dict[str, Decimal] = defaultdict(Decimal)
        self.refunded: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
        for row in rows:
            if row["order_id"] is None or row["type"] not in ("order", "refund"):
                continue
            amount = Decimal(str(row["amount"] or 0))
            if row["type"] == "order":
                self.amount[row["order_id"]] += amount
            else:
                self.refunded[row["order_id"], row["date"]] += amount


class _Say:
    """The playbook's names and the run's language, for one member's lines."""

    def __init__(self, ctx: SimContext, lang: str) -> None:
        self.lang = lang
        self.zh = lang == "zh"
        self.colon, self.sep = ("：", "，") if self.zh else (": ", ", ")
        self.lp, self.rp = ("（", "）") if self.zh else (" (", ")")
        self.names: Names = ctx.names("member")
        membership = ctx.playbook.membership
        self.levels: list[Level] = list(membership.levels) if membership else []
        self.demotion = membership.demotion if membership else "one_step"
        points = membership.points if membership and membership.points else None
        rules = list(points.earn) if points else []
        self.rules: dict[str, EarnRule] = dict(zip(rule_names(rules), rules, strict=True))
        self.groups = {g.id: g.name for g in ctx.roster.groups}
        self.staff = {s.id: s.name for s in ctx.roster.staff}
        self.churn = {c.id: c for c in ctx.playbook.churn}

    # --- names and values -------------------------------------------------------------------

    def label(self, name: str) -> str:
        found = self.names.resolve(name)
        return found.label(self.lang) if found else name

    def value(self, name: str, value: Any) -> str:
        """A feature's value as a reader says it: ¥1,126.90, 12.5%, 1,075, a level's name."""
        found = self.names.resolve(name)
        key = found.id if found else name
        if key in self.names.values and value is not None:
            return self.names.values[key].get(str(value), str(value))
        if value is None:
            return "0"
        if isinstance(value, bool):
            return ("是" if value else "否") if self.zh else ("yes" if value else "no")
        if isinstance(value, str):
            return value
        unit = found.metric.unit if found else ""
        if is_money(unit):
            return _money(Decimal(str(value)))
        if unit == "ratio":
            return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.01')).normalize():f}%"
        return _number(value)

    def level_name(self, level_id: str | None) -> str:
        return next((lv.name for lv in self.levels if lv.id == level_id), level_id or "-")

    def rank(self, level_id: str | None) -> int:
        return next((i for i, lv in enumerate(self.levels) if lv.id == level_id), 0)

    def group(self, group_id: str | None) -> str:
        name = self.groups.get(group_id or "")
        if name is None:
            return group_id or "-"
        return f"「{name}」（{group_id}）" if self.zh else f"{name} ({group_id})"

    def person(self, staff_ids: str | None) -> str:
        if not staff_ids:
            return _w("unassigned", self.lang)
        people = [f"{self.staff[s]}{self.lp}{s}{self.rp}" if s in self.staff else s
                  for s in staff_ids.split(",")]
        return ("、" if self.zh else ", ").join(people)

    def period(self, label: str) -> str:
        """2027-01 → 2027 年 1 月 / January 2027; weeks and quarters alike; a day as it is."""
        if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
            year, month = int(m.group(1)), int(m.group(2))
            return f"{year} 年 {month} 月" if self.zh else f"{_MONTHS[month - 1]} {year}"
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", label):
            year, week = int(m.group(1)), int(m.group(2))
            return f"{year} 年第 {week} 周" if self.zh else f"week {week} of {year}"
        if m := re.fullmatch(r"(\d{4})Q(\d)", label):
            return f"{m.group(1)} 年第 {m.group(2)} 季度" if self.zh else f"Q{m.group(2)} {m.group(1)}"
        return label

    def days(self, first: dt.date, last: dt.date) -> str:
        return f"{first} 至 {last}" if self.zh else f"{first} to {last}"

    # --- the points ledger ------------------------------------------------------------------

    def caps_reached(self, ledger: list[dict[str, Any]]) -> set[int]:
        """The seq of each earn entry that brings its rule's capped day, week or month to the cap
        (only the last entry of such a period can: later events earn 0 and make no entry)."""
        running: dict[tuple[str, dt.date], int] = defaultdict(int)
        reached: set[int] = set()
        for entry in ledger:
            rule = self.rules.get(entry["rule"] or "")
            if entry["kind"] != "earn" or rule is None or rule.cap is None:
                continue
            key = (entry["rule"], _cap_start(entry["date"], rule.cap.per))
            running[key] += entry["points"]
            if running[key] >= rule.cap.max:
                reached.add(entry["seq"])
        return reached

    def rule(self, name: str | None) -> str:
        rule = self.rules.get(name or "")
        # An unnamed rule by its event: 「下单」 in Chinese, its `on` (order) in English.
        shown = (rule.name or rule.id or (self.event(rule.on) if self.zh else rule.on)) if rule else (name or "-")
        return f"规则「{shown}」" if self.zh else f'rule "{shown}"'

    def event(self, event_type: str) -> str:
        if self.zh:
            return EVENT_TYPES[event_type][0].split("|")[0] if event_type in EVENT_TYPES else event_type
        return EARN_EN.get(event_type, event_type)

    def entry(self, e: dict[str, Any], cap_reached: bool, orders: _Orders) -> str:
        """One ledger entry: 下单得积分 +549（订单 o000026，规则「购物」）."""
        points, order = _signed(e["points"]), e["order_id"]
        if e["kind"] == "earn":
            rule = self.rules.get(e["rule"] or "")
            on = rule.on if rule else ""
            details = ([f"订单 {order}" if self.zh else f"order {order}"] if order else []) + [self.rule(e["rule"])]
            if cap_reached and rule is not None and rule.cap is not None:
                details.append(f"{CAP_ZH[rule.cap.per]}已达上限 {_count(rule.cap.max)}" if self.zh
                               else f"{CAP_EN[rule.cap.per]} cap of {_count(rule.cap.max)} reached")
            head = f"{self.event(on)}得积分 {points}" if self.zh else f"earned {points} for {self.event(on)}"
            return f"{head}{self.lp}{self.sep.join(details)}{self.rp}"
        if e["kind"] == "refund":
            refunded, amount = orders.refunded.get((order, e["date"])), orders.amount.get(order)
            money = (f"订单 {order} 退款 {_money(refunded)}，订单金额 {_money(amount)}" if self.zh
                     else f"order {order}: {_money(refunded)} refunded of {_money(amount)}") \
                if refunded is not None and amount is not None else (f"订单 {order}" if self.zh else f"order {order}")
            head = f"退款扣回 {points}" if self.zh else f"taken back by a refund {points}"
            return f"{head}{self.lp}{money}{'；' if self.zh else '; '}{self.rule(e['rule'])}{self.rp}"
        batch = e["batch"]
        return (f"积分过期 {points}（{batch} 获得的那批）" if self.zh
                else f"expired {points} (the batch earned on {batch})")

    # --- levels -----------------------------------------------------------------------------

    def level_change(self, row: dict[str, Any], values: dict[str, Any], rows: list[dict[str, Any]]) -> str:
        """晋升为金卡（原为普通会员）：近90天积分 ≥ 1000（实际 1,075）且 … — the change, the condition
        that decided it and the member's values; 保级期 when a failed keep condition was protected."""
        zh, change = self.zh, row["change"]
        held_id = row["previous_level"] or (self.levels[0].id if self.levels else None)
        held = next((lv for lv in self.levels if lv.id == held_id), None)
        level = next((lv for lv in self.levels if lv.id == row["level"]), None)
        name, held_name = self.level_name(row["level"]), self.level_name(held_id)
        # A level's conditions read the level held coming into the period.
        incoming = {**values, "level": held_id, "level_rank": self.rank(held_id)}
        if change == "new":
            return f"{name}（新成员，从第一级开始）" if zh else f"{name} (a new member starts at the first level)"
        if change == "promote":
            was = (f"原为{held_name}" if row["previous_level"] else f"新成员，从{held_name}起") if zh \
                else (f"from {held_name}" if row["previous_level"] else f"a new member, from {held_name}")
            head = f"晋升为{name}（{was}）" if zh else f"promoted to {name} ({was})"
            cond = level.promote_when if level else None
            return f"{head}{self.colon}{self.said(cond, incoming)}" if cond else head
        keep = (held.keep_when or held.promote_when) if held else None
        if change == "demote":
            head = f"降级为{name}（原为{held_name}）" if zh else f"demoted to {name} (from {held_name})"
            text = head
            if keep:
                text += (f"：{held_name}的保级条件未达标——{self.said(keep, incoming)}" if zh
                         else f": the keep condition of {held_name} failed — {self.said(keep, incoming)}")
            lower = (level.keep_when or level.promote_when) if level else None
            if self.demotion == "recompute" and lower and self.rank(row["level"]) > 0:
                text += (f"；{name}的保级条件仍达标——{self.said(lower, incoming)}" if zh
                         else f"; the keep condition of {name} still holds — {self.said(lower, incoming)}")
            return text
        head = f"保持{name}" if zh else f"kept {name}"
        if not keep or self.rank(held_id) == 0:
            return head
        holds = _holds(keep, incoming, self.names)
        if holds is None:
            return head
        if holds:
            return (f"{head}：保级条件达标——{self.said(keep, incoming)}" if zh
                    else f"{head}: the keep condition holds — {self.said(keep, incoming)}")
        stay = _stay(rows, row["period"], held_id)
        protected = held.min_stay if held else 0
        return (f"{head}：保级条件未达标——{self.said(keep, incoming)}；但仍在保级期内（到达后的第 {stay} 次评定，"
                f"保级期共 {protected} 次），不降级" if zh
                else f"{head}: the keep condition failed — {self.said(keep, incoming)}; but still protected "
                     f"(evaluation {stay} of the {protected} protected after reaching it: min_stay), so not demoted")

    def warning(self, row: dict[str, Any], values: dict[str, Any]) -> str:
        """流失预警「沉默」，群「…」（g1）：条件与实际值 → 动作；负责人；截止."""
        item = self.churn.get(row["warning"])
        name = row["warning_name"] or row["warning"]
        cond = self.said(item.when, values) if item else ""
        if self.zh:
            text = f"流失预警「{name}」，群{self.group(row['group_id'])}"
            text += f"：{cond}" if cond else ""
            text = _joined([text, f"{row['action']}；负责人：{self.person(row['owner'])}"], " → ")
            return text + (f"；截止 {row['due']}" if row.get("due") else "")
        text = f'churn warning "{name}" in {self.group(row["group_id"])}'
        text += f": {cond}" if cond else ""
        text += f" → action: {row['action']}; owner: {self.person(row['owner'])}"
        return text + (f"; due {row['due']}" if row.get("due") else "")

    # --- a condition with the member's values -----------------------------------------------

    def said(self, text: str, values: dict[str, Any]) -> str:
        """The condition in words (expr.phrasing), each comparison followed by the actual value
        it read, and 未达标 / not met where it failed."""
        return self._said(parse(text), values, 0)

    def _said(self, expr: Expr, values: dict[str, Any], outer: int) -> str:
        if isinstance(expr, Logic):
            mine = 2 if expr.op == "and" else 1
            text = _joined([self._said(v, values, mine) for v in expr.values], _w(expr.op, self.lang))
            return f"{self.lp.strip()}{text}{self.rp}" if mine < outer else text
        if isinstance(expr, Unary) and expr.op == "not":
            operand = self._said(expr.operand, values, 3)
            word = _w("not", self.lang)
            return (word.rstrip() if operand.startswith("（") else word) + operand
        words = in_words(expr, self.names, self.lang)
        read = [n for n in dict.fromkeys(n.id for n in names_in(expr)) if self._key(n, values) is not None]
        if not read:
            return words
        shown = [self.value(n, values[self._key(n, values) or n]) for n in read]
        if len(read) == 1:
            actual = f"{_w('actual', self.lang)} {shown[0]}"
        else:
            actual = f"{_w('actual', self.lang)}{self.colon}" + self.sep.join(
                f"{self.label(n)} {v}" for n, v in zip(read, shown, strict=True))
        if _holds_expr(expr, values, self.names) is False:
            actual += f"{self.sep}{_w('not_met', self.lang)}"
        return f"{words}{self.lp}{actual}{self.rp}"

    def _key(self, name: str, values: dict[str, Any]) -> str | None:
        if name in values:
            return name
        found = self.names.resolve(name)
        return found.id if found and found.id in values else None


def _joined(parts: list[str], word: str) -> str:
    """Parts joined by a spaced word (" 且 ", " → "), without the space after a full-width
    parenthesis: …（实际 1,075）且 …."""
    out = parts[0]
    for part in parts[1:]:
        spaced = word.lstrip() if out.endswith("）") else word
        out += (spaced.rstrip() if part.startswith("（") else spaced) + part
    return out


def _holds(text: str, values: dict[str, Any], names: Names) -> bool | None:
    return _holds_expr(parse(text), values, names)


def _holds_expr(expr: Expr, values: dict[str, Any], names: Names) -> bool | None:
    """Whether a condition holds on the values, as the simulator decides it (NULL reads 0); None
    when it reads a name the values lack."""
    try:
        return bool(evaluate(expr, {k: (0 if v is None else v) for k, v in values.items()}, names))
    except (KeyError, TypeError, ArithmeticError):
        return None


def _stay(rows: list[dict[str, Any]], period: str, level_id: str | None) -> int:
    """The evaluations since the member reached `level_id`, coming into `period` (the one that
    reached it counts 1), as levels.evaluate_levels counts `stay`."""
    earlier = [r for r in rows if r["period"] < period]
    stay = 0
    for row in reversed(earlier):
        if row["level"] != level_id:
            break
        stay += 1
        if row["change"] != "keep":
            break
    return stay


def _cap_start(day: dt.date, per: str) -> dt.date:
    if per == "week":
        return day - dt.timedelta(days=day.weekday())
    if per == "month":
        return day.replace(day=1)
    return day


def _count(n: int) -> str:
    return f"{n:,}".replace("-", "−")


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else ("0" if n == 0 else f"−{-n:,}")


def _money(value: Decimal) -> str:
    amount = value.quantize(Decimal("0.01"))
    return f"−¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"


def _number(value: Any) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return _count(int(number))
    return f"{number.quantize(Decimal('0.01')).normalize():,f}".replace("-", "−")


def _rows(con: Any, table: Any | None) -> list[dict[str, Any]]:
    from ..compute import fetch_rows

    return [] if table is None else fetch_rows(con, table)
