"""What payouts.xlsx holds, in English and Chinese: its sheets, their columns and each column's
kind of cell. The words are the statements' and `qunce explain --staff`'s, in the practitioners'
terms (指标提成, 个人封顶, 分成比例, 提成系数, 发放门槛: shared/domain.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # the column's name in the query
    kind: str  # text, int, number, money, exact, percent, factor, date: workbook.NUMBER_FORMATS
    en: str
    zh: str
    sql: str | None = None  # the expression, when not the stored table's column of that name


@dataclass(frozen=True)
class Sheet:
    en: str
    zh: str
    source: str  # payouts or statements: the stored table read
    order: str | None  # the rows' order (SQL); None: the stored table's own (sorted when stored)
    columns: tuple[Column, ...]
    group: str | None = None  # GROUP BY (SQL), for a summary


STAFF = (Column("staff_id", "text", "staff id", "员工 ID"), Column("staff_name", "text", "staff", "员工"))


def _money(sql: bool) -> tuple[Column, ...]:
    # The parts of a payout: per period (the stored column) or summed over the window
    parts = (("kpi", "KPI commission", "指标提成"), ("bonus", "bonuses", "达标奖励"), ("gate", "gate reduction", "门槛扣减"),
             ("cap", "personal cap reduction", "个人封顶扣减"), ("clawback", "refund clawback", "退款追回"),
             ("total", "total", "应发合计"))
    return tuple(Column(name, "money", en, zh, f'sum("{name}") AS "{name}"' if sql else None) for name, en, zh in parts)


# The kinds of statement lines, as the workbook names them (the tables keep the ids).
KINDS = {"kpi": ("KPI commission", "指标提成"), "bonus": ("bonus", "达标奖励"), "gate": ("gate reduction", "门槛扣减"),
         "cap": ("personal cap reduction", "个人封顶扣减"), "clawback": ("refund clawback", "退款追回")}

SHEETS = (
    Sheet("Payouts", "提成发放", "payouts", "period, staff_id", (
        Column("period", "text", "period", "结算周期"), Column("first_day", "date", "from", "开始日期"),
        Column("last_day", "date", "to", "结束日期"), *STAFF, Column("roles", "text", "roles", "角色"),
        Column("groups", "int", "groups", "群数"), *_money(False),
        Column("window_days", "int", "days with data", "数据天数"), Column("period_days", "int", "days in period", "周期天数"))),
    Sheet("Per staff", "人员汇总", "payouts", "staff_id", (
        Column("staff_id", "text", "staff id", "员工 ID"),
        Column("staff_name", "text", "staff", "员工", 'min(staff_name) AS staff_name'),
        Column("periods", "int", "periods", "结算期数", "count(*) AS periods"), *_money(True)), group="staff_id"),
    Sheet("Statement lines", "结算明细", "statements", None, (
        Column("period", "text", "period", "结算周期"), *STAFF, Column("line", "int", "line", "行号"),
        Column("kind", "text", "kind", "类型"), Column("item", "text", "item", "项目"),
        Column("group_id", "text", "group id", "群 ID"), Column("group_name", "text", "group", "群名称"),
        Column("role", "text", "role", "角色"), Column("metric", "text", "metric", "指标"),
        Column("actual", "number", "actual", "实际"), Column("target", "number", "target", "目标"),
        Column("attainment", "percent", "attainment", "达成率"), Column("factor", "factor", "pay factor", "提成系数"),
        Column("weight", "percent", "weight", "权重"), Column("base", "money", "pool at 100%", "奖金池（100% 达成时）"),
        Column("share", "percent", "share", "分成比例"), Column("condition", "text", "condition", "条件"),
        Column("values", "text", "values", "取值"), Column("amount", "money", "amount", "金额"),
        Column("exact", "exact", "exact amount", "精确金额"))),
)
