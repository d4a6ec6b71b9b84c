"""Which of a file's columns holds which event column: the mapping file's word first, then
qunce's own name, then the Chinese (and plain English) headers teams write without thinking.

A header is compared without spaces and case (`群 ID`, `群id` and `群ID` are one header). A
column no rule names is an error unless the mapping says to ignore it: data is never dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..event_contract import COLUMNS

# Headers an export from Excel or a SCRM tool typically has, for each event column. The
# contract's own Chinese word (event_contract.Column.zh) is one of them.
ALIASES: dict[str, tuple[str, ...]] = {
    "ts": ("时间", "时间戳", "事件时间", "发生时间", "日期时间", "timestamp"),
    "type": ("类型", "事件类型", "动作", "event_type"),
    "group_id": ("群ID", "群聊ID", "群编号", "客户群ID", "chat_id"),
    "member_id": ("成员ID", "客户ID", "用户ID", "会员ID", "外部联系人ID"),
    "staff_id": ("员工ID", "员工账号"),
    "amount": ("金额", "订单金额", "实付金额", "支付金额"),
    "order_id": ("订单号", "订单ID", "订单编号"),
    "channel": ("渠道", "来源渠道", "入群方式"),
    "referrer_id": ("推荐人", "推荐人ID", "邀请人ID"),
    "activity": ("活动", "活动名称"),
    "removed": ("被移出", "是否被移出"),
    "flag": ("违规", "违规类型"),
    "score": ("评分", "分数", "满意度"),
    "count": ("数量", "次数"),
    "length": ("字数", "消息字数"),
    "sop": ("SOP事项", "SOP事项ID", "事项ID", "SOP"),
}


def normal(header: str) -> str:
    """A header as compared: no spaces (ASCII or full-width), lower case."""
    return "".join(header.split()).replace("\u3000", "").lower()


def _known() -> dict[str, str]:
    known: dict[str, str] = {}
    for column in COLUMNS:
        for word in (column.name, column.zh, *ALIASES.get(column.name, ())):
            known.setdefault(normal(word), column.name)
    return known


KNOWN = _known()


@dataclass(slots=True)
class Headers:
    """How a file's columns are read: event column → the file's header, and the headers left out
    on purpose (the mapping's `ignore:`)."""

    sources: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # only when not strict
    present: list[str] = field(default_factory=list)  # the file's headers, in its order
    how: dict[str, str] = field(default_factory=dict)  # event column → "mapping" | "name" | "alias"


def resolve(present: list[str], shown: str, columns: dict[str, str] | None = None,
            ignore: tuple[str, ...] = (), mapping_name: str | None = None, strict: bool = True) -> Headers:
    """The columns of a file (`present`, as read) matched to event columns. `columns`/`ignore`:
    the mapping file's (named `mapping_name` in messages). Raises InputError on a header the
    mapping names that is not there, two headers for one column, and (`strict`) headers no rule
    names; not strict, those are listed in `unknown` (`qunce events inspect` shows them)."""
    headers = Headers(present=list(present))
    by_text = {h.strip(): h for h in present}
    for target, header in (columns or {}).items():
        if header.strip() not in by_text:
            raise InputError(
                f"{shown}: the mapping {mapping_name} reads {target} from the column '{header}', which the file does "
                f"not have; its columns are {', '.join(present)}",
                f"{shown}：映射文件 {mapping_name} 从「{header}」列读取 {target}，但文件中没有这一列；文件的列为 {'、'.join(present)}")
        headers.sources[target] = by_text[header.strip()]
        headers.how[target] = "mapping"
    taken = set(headers.sources.values())
    skipped = {h.strip() for h in ignore}
    unknown: list[str] = []
    for header in present:
        if header in taken:
            continue
        if header.strip() in skipped:
            headers.ignored.append(header)
            continue
        known = KNOWN.get(normal(header))
        if known is None or headers.how.get(known) == "mapping":
            # A column the mapping did not choose, for a column it chose another for: unknown
            # (`ignore:` it), not silently left out.
            unknown.append(header)
            continue
        if known in headers.sources:
            first = headers.sources[known]
            raise InputError(
                f"{shown}: the columns '{first}' and '{header}' both read as {known}; keep one, or say in a mapping "
                f"file which one is {known} and ignore the other",
                f"{shown}：「{first}」和「{header}」两列都会读作 {known}；请只保留一列，或在映射文件中指定哪一列是 {known}、"
                "忽略另一列")
        headers.sources[known] = header
        headers.how[known] = "name" if normal(header) == normal(known) else "alias"
    if unknown and strict:
        raise unknown_columns(unknown, shown, mapping_name)
    headers.unknown = unknown
    return headers


def unknown_columns(unknown: list[str], shown: str, mapping_name: str | None) -> InputError:
    """Columns no rule names: which, and how to name them."""
    names = ", ".join(c.name for c in COLUMNS)
    where = mapping_name or f"a mapping file ({_mapping_beside(shown)})"
    where_zh = mapping_name or f"映射文件（{_mapping_beside(shown)}）"
    return InputError(
        f"{shown}: unknown column(s) {', '.join(unknown)}; the event columns are {names}. Say what they are in "
        f"{where}: `columns:` to read one as an event column, `ignore:` to leave it out "
        f"(`qunce events inspect {shown}` shows how each column is read)",
        f"{shown}：未知的列 {'、'.join(unknown)}；事件的列为 {'、'.join(c.name for c in COLUMNS)}。请在{where_zh}中说明："
        f"`columns:` 把它读作某个事件列，`ignore:` 不读它（`qunce events inspect {shown}` 可查看每一列如何读取）")


def _mapping_beside(shown: str) -> str:
    from pathlib import PurePath

    return str(PurePath(shown).with_suffix(".mapping.yaml")) if shown != "-" else "events.mapping.yaml"
