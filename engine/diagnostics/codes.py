"""Codes for the stages before the semantic checks: reading, schema, conditions, templates.

Semantic checks register their own codes in engine/checks/, one file each.
"""

from __future__ import annotations

from .registry import Code, register

# --- Q0xx: reading the files -------------------------------------------------

register(Code(
    "Q001", "yaml-syntax", "error",
    "The file is not valid YAML.", "文件不是合法的 YAML。",
    "YAML syntax error: {detail}", "YAML 语法错误：{detail}",
    "Check indentation (spaces, not tabs) and that every quote and bracket is closed.",
    "检查缩进（用空格，不要用 Tab），以及引号和括号是否成对。",
    bad="roles:\n  owner: {name: 群主\n", good="roles:\n  owner: {name: 群主}\n", group="source",
))
register(Code(
    "Q002", "duplicate-key", "error",
    "A mapping has the same key twice.", "同一层级出现了重复的键。",
    "duplicate key '{key}' (first defined on line {first_line})",
    "重复的键 '{key}'（第 {first_line} 行已定义）",
    "Remove one of them or merge their contents; YAML would silently keep only the last.",
    "删掉其中一个或合并内容；否则 YAML 会悄悄只保留后一个。",
    bad="roles:\n  owner: {name: 群主}\n  owner: {name: 管理员}\n",
    good="roles:\n  owner: {name: 群主}\n  admin: {name: 管理员}\n", group="source",
))
register(Code(
    "Q003", "file-too-large", "error",
    "The file is larger than a playbook can be.", "文件超过了剧本允许的大小。",
    "file is {size} bytes; the limit is {limit} bytes",
    "文件大小为 {size} 字节，上限为 {limit} 字节",
    "Split the playbook with include: into fragments, or check that this is the right file.",
    "用 include: 把剧本拆成多个片段，或确认文件是否选错。", bad='# a 50 MB event export saved as playbook.yaml\n', good='# playbook.yaml stays small; events go in events.csv\n',
    group="source",
))
register(Code(
    "Q004", "too-deep", "error",
    "The document nests deeper than any playbook needs.", "文档嵌套层级过深。",
    "nesting is deeper than {limit} levels",
    "嵌套超过 {limit} 层",
    "Flatten the structure; a playbook never needs this depth.",
    "请展平结构；正常剧本不需要这么深的嵌套。", bad='a: [[[[[[[[ … 100 levels … ]]]]]]]]\n', good='a: [1, 2, 3]\n',
    group="source",
))
register(Code(
    "Q005", "alias-expansion", "error",
    "The document has too many values, counting what aliases expand to (an alias bomb?).",
    "文档的值过多（含别名展开后的值，可能是别名炸弹）。",
    "more than {limit} values{cause}",
    "超过 {limit} 个值{cause}",
    "Look for nested aliases (&anchor / *alias) that multiply; a playbook this large should be split into include: fragments.",
    "减少嵌套的别名（&锚点 / *别名）；内容如此多的剧本请用 include: 拆分成片段。",
    bad="a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
    good="base: &base {name: 群主, max_groups: 8}\nroles:\n  owner: *base\n",
    group="source",
))
register(Code(
    "Q006", "unsupported-tag", "error",
    "A YAML tag that playbooks do not support.", "剧本不支持的 YAML 标签。",
    "unsupported YAML tag '{tag}'",
    "不支持的 YAML 标签 '{tag}'",
    "Remove the tag; playbooks use plain strings, numbers, lists and mappings.",
    "删除该标签；剧本只使用字符串、数字、列表和映射。",
    bad="name: !!python/object:os.system x\n", good="name: x\n", group="source",
))
register(Code(
    "Q007", "unreadable-file", "error",
    "A file could not be read.", "文件无法读取。",
    "cannot read file: {detail}", "无法读取文件：{detail}",
    "Check the path and the permissions, and that the file is UTF-8 text.",
    "检查路径和权限，并确认文件是 UTF-8 编码的文本。", bad='# playbook.yaml saved as GBK from a spreadsheet\n', good='# playbook.yaml saved as UTF-8\n',
    group="source",
))
register(Code(
    "Q008", "outside-root", "error",
    "An include or extends points outside the playbook's root folder.", "include 或 extends 指向剧本根目录之外。",
    "'{target}' is outside the root folder {root}",
    "'{target}' 位于根目录 {root} 之外",
    "Keep shared fragments inside the playbook folder, or validate with --root set to a common parent.",
    "把共享片段放在剧本目录内，或用 --root 指定共同的上级目录。",
    bad="extends: ../../etc/base.yaml\n", good="extends: base.yaml\n", group="source",
))
register(Code(
    "Q009", "include-cycle", "error",
    "Files include or extend each other in a cycle.", "文件之间的 include / extends 形成循环。",
    "'{target}' is already being loaded: {chain}",
    "'{target}' 已在加载链中：{chain}",
    "Break the cycle: a base playbook must not extend or include its children.",
    "打破循环：基础剧本不能再引用它的子剧本。", bad='# base.yaml\nextends: store.yaml\n# store.yaml\nextends: base.yaml\n', good='# store.yaml\nextends: base.yaml\n# base.yaml has no extends:\n',
    group="source",
))
register(Code(
    "Q010", "missing-include", "error",
    "An include or extends names a file that does not exist.", "include 或 extends 引用的文件不存在。",
    "no such file: '{target}'", "文件不存在：'{target}'",
    "Paths are relative to the file that names them.",
    "路径相对于引用它的文件所在目录。",
    bad="include: [fragments/sop.yml]\n", good="include: [fragments/sop.yaml]\n", group="source",
))
register(Code(
    "Q011", "not-a-mapping", "error",
    "The document is empty or not a mapping of sections.", "文档为空，或顶层不是“键： 值”映射。",
    "expected a mapping of playbook sections, found {found}",
    "顶层应为剧本各部分的映射，实际为{found}",
    "A playbook starts with keys such as 'playbook:', 'roles:', 'group_types:'.",
    "剧本以 'playbook:'、'roles:'、'group_types:' 等键开头。",
    bad="- roles\n- group_types\n", good="playbook: 美妆私域\n", group="source",
))
register(Code(
    "Q012", "not-a-playbook", "warning",
    "A YAML file in the folder is neither a playbook nor included by one.", "目录中的 YAML 文件既不是剧本，也没有被剧本引用。",
    "skipped: no 'playbook:' key and no playbook includes or extends this file",
    "已跳过：没有 'playbook:' 键，也没有剧本 include / extends 它",
    "Add 'playbook: <name>' to validate it on its own; if a playbook includes it, run qunce from a folder "
    "that holds both (or pass --root); or move it out of the folder.",
    "添加 'playbook: <名称>' 以单独校验；若有剧本引用它，请在同时包含两者的目录中运行（或使用 --root）；或把它移出该目录。",
    bad='# playbooks/notes.yaml\ntodo: [check flash groups]\n', good='# playbooks/notes.yaml moved out, or:\nplaybook: 门店试点\n',
    group="source",
))
register(Code(
    "Q013", "multiple-documents", "error",
    "A playbook file holds more than one YAML document.", "一个剧本文件中有多个 YAML 文档。",
    "a playbook file must hold one YAML document; found another after '---'",
    "一个剧本文件只能包含一个 YAML 文档；'---' 之后又出现了一个",
    "Put each playbook in its own file.", "每个剧本单独放一个文件。", bad='playbook: A\n---\nplaybook: B\n', good='# a.yaml\nplaybook: A\n# b.yaml\nplaybook: B\n',
    group="source",
))

# --- Q1xx: the shape of the playbook ------------------------------------------

register(Code(
    "Q101", "unknown-key", "error",
    "A key that this section does not have.", "该部分没有这个键。",
    "unknown key '{key}' in {where}{suggestion}",
    "{where} 中没有键 '{key}'{suggestion}",
    "Allowed here: {allowed}.", "此处可用的键：{allowed}。",
    bad="roles:\n  owner: {name: 群主, max_group: 8}\n",
    good="roles:\n  owner: {name: 群主, max_groups: 8}\n", group="schema",
))
register(Code(
    "Q102", "missing-field", "error",
    "A required key is missing.", "缺少必填的键。",
    "missing required key '{key}' in {where}",
    "{where} 缺少必填的键 '{key}'",
    "Add '{key}:'; see the playbook reference for what it means.",
    "添加 '{key}:'；含义见剧本参考文档。",
    bad="levels:\n  - {name: 银卡会员}\n", good="levels:\n  - {id: silver, name: 银卡会员}\n", group="schema",
))
register(Code(
    "Q103", "wrong-type", "error",
    "A value has the wrong type.", "值的类型不对。",
    "expected {expected}, found {found}",
    "应为{expected}，实际为{found}",
    "{detail}", "{detail}",
    bad="roles:\n  owner: {name: 群主, max_groups: eight}\n",
    good="roles:\n  owner: {name: 群主, max_groups: 8}\n", group="schema",
))
register(Code(
    "Q104", "invalid-value", "error",
    "A value is not one of those allowed, or out of range.", "值不在允许范围内。",
    "{detail}{suggestion}", "{detail}{suggestion}",
    "{allowed}", "{allowed}",
    bad="group_types:\n  traffic: {name: 引流群, entry: {mode: free}}\n",
    good="group_types:\n  traffic: {name: 引流群, entry: {mode: open}}\n", group="schema",
))
register(Code(
    "Q105", "invalid-format", "error",
    "A duration, time, date or id is not written in its format.", "时长、时间、日期或 id 的格式不对。",
    "{detail}", "{detail}",
    "{example}", "{example}",
    bad="membership:\n  points: {expire_after: one year}\n",
    good="membership:\n  points: {expire_after: 365d}\n", group="schema",
))
register(Code(
    "Q106", "too-far", "error",
    "A day number, duration or retention period reaches further than ten years.",
    "天数、时长或留存天数超过十年。",
    "{where}: {detail}", "{where}：{detail}",
    "Plans, windows and lifespans are days, weeks or months; ten years (3650 days) is the most a playbook may say.",
    "计划、窗口和存续时长以天、周、月计；剧本最多写到十年（3650 天）。",
    bad="sop:\n  - {id: anniversary, role: owner, days: [999999999], at: \"10:00\"}\n",
    good="sop:\n  - {id: anniversary, role: owner, days: [365], at: \"10:00\"}\n", group="schema",
))
register(Code(
    "Q107", "too-many", "error",
    "A count of staff, groups or members is larger than any team has.", "人数、群数或成员数超出了任何团队的规模。",
    "{where}: {detail}", "{where}：{detail}",
    "Staff per role per group: at most 100; groups per person: 1,000; members per group: 100,000.",
    "每群每个角色最多 100 人；每人最多 1,000 个群；每群最多 100,000 名成员。",
    bad="group_types:\n  traffic: {name: 引流群, staffing: {helper: 200000000}}\n",
    good="group_types:\n  traffic: {name: 引流群, staffing: {helper: 3}}\n", group="schema",
))
register(Code(
    "Q108", "too-large", "error",
    "An amount, number of points or factor is larger than any team needs.", "金额、积分或系数超出了任何团队的需要。",
    "{where}: {detail}", "{where}：{detail}",
    "Money: at most 100,000,000 yuan; KPI targets 10^9; attainments, factors and rates 1,000; points 1,000,000 "
    "per event; a cadence 100 times a day; per_day 1,440.",
    "金额最多 100,000,000 元；KPI 目标 10^9；达成率、系数和费率 1,000；每次积分 1,000,000；频率每天 100 次；per_day 1,440。",
    bad="commission:\n  pool: {per_group: 1000000000000000000000}\n",
    good="commission:\n  pool: {per_group: 800}\n", group="schema",
))

# --- Q2xx: conditions ----------------------------------------------------------

register(Code(
    "Q201", "condition-syntax", "error",
    "A condition is not a valid expression.", "条件表达式写法有误。",
    "cannot parse condition: {detail}", "无法解析条件：{detail}",
    "Conditions look like: points_90d >= 300 and orders_30d >= 1",
    "条件的写法如：points_90d >= 300 and orders_30d >= 1",
    bad="promote_when: points_90d >= \n", good="promote_when: points_90d >= 300\n", group="conditions",
))
register(Code(
    "Q202", "unknown-name", "error",
    "A condition uses a name that is not a known metric or feature.", "条件中使用了未知的指标或特征名。",
    "unknown name '{name}' in {scope} condition{suggestion}",
    "{scope}条件中有未知名称 '{name}'{suggestion}",
    "Known names are listed by 'qunce rules --names'; declare your own under metrics.custom.",
    "可用名称见 'qunce rules --names'；自定义指标请写在 metrics.custom 下。",
    bad="when: point_90d >= 300\n", good="when: points_90d >= 300\n", group="conditions",
))
register(Code(
    "Q203", "not-boolean", "error",
    "A condition does not give true or false.", "条件的结果不是“是/否”。",
    "condition gives {found}, not true/false",
    "条件的结果是{found}，而不是“是/否”",
    "Compare it with something, e.g. '{source} >= 1'.",
    "请加上比较，例如 '{source} >= 1'。",
    bad="when: orders_30d\n", good="when: orders_30d >= 1\n", group="conditions",
))
register(Code(
    "Q204", "type-mismatch", "error",
    "An operator is applied to values of the wrong type.", "运算符两边的类型不匹配。",
    "{detail}", "{detail}",
    "Compare numbers with numbers and text with text.", "数字与数字比较，文本与文本比较。",
    bad="when: orders_30d >= \"3\"\n", good="when: orders_30d >= 3\n", group="conditions",
))
register(Code(
    "Q205", "forbidden-construct", "error",
    "A condition uses something the safe condition language does not allow.", "条件中使用了安全条件语言不允许的写法。",
    "{construct} is not allowed in conditions",
    "条件中不允许使用{construct}",
    "Conditions may use metric names, numbers, text, comparisons, + - * /, and, or, not, min(), max(), abs().",
    "条件中只能使用指标名、数字、文本、比较、+ - * /、and、or、not、min()、max()、abs()。",
    bad="when: __import__('os').system('x')\n", good="when: orders_30d >= 1\n", group="conditions",
))

register(Code(
    "Q206", "unknown-value", "error",
    "A condition compares a name with a value it can never have.", "条件把名称与它不可能取到的值比较。",
    "'{name}' is never \"{value}\"{suggestion}", "'{name}' 不可能等于 “{value}”{suggestion}",
    "Possible values: {known}.", "可取的值：{known}。",
    bad="when: level == \"glod\"\n", good="when: level == \"gold\"\n", group="conditions",
))

# --- Q3xx: templates -------------------------------------------------------------

register(Code(
    "Q301", "template-syntax", "error",
    "A message template is not valid Jinja2.", "消息模板不是合法的 Jinja2。",
    "template syntax error: {detail}", "模板语法错误：{detail}",
    "Variables are written {{{{ name }}}}; blocks {{% if ... %}}...{{% endif %}}.",
    "变量写作 {{{{ name }}}}；语句块写作 {{% if ... %}}...{{% endif %}}。",
    bad="welcome: \"欢迎 {{ member.nickname 加入\"\n", good="welcome: \"欢迎 {{ member.nickname }} 加入\"\n",
    group="templates",
))
register(Code(
    "Q302", "template-undefined", "error",
    "A template uses a name that is not defined for it.", "模板使用了未定义的变量。",
    "template uses undefined {detail}", "模板使用了未定义的{detail}",
    "Available here: {available}. Add your own under vars:.",
    "此处可用：{available}。自定义变量请写在 vars: 下。",
    bad="welcome: \"欢迎 {{ member.nick }}\"\n", good="welcome: \"欢迎 {{ member.nickname }}\"\n",
    group="templates",
))
register(Code(
    "Q303", "template-unsafe", "error",
    "A template tries to reach something outside its sandbox.", "模板试图访问沙箱之外的内容。",
    "unsafe template: {detail}", "不安全的模板：{detail}",
    "Templates may only read the documented variables; attributes starting with _ are blocked.",
    "模板只能读取文档列出的变量；以 _ 开头的属性被禁止访问。",
    bad="welcome: \"{{ ''.__class__.__mro__ }}\"\n", good="welcome: \"欢迎 {{ member.nickname }}\"\n",
    group="templates",
))
register(Code(
    "Q304", "template-too-costly", "error",
    "A template renders too much text or takes too long.", "模板输出过长或渲染耗时过久。",
    "template {detail}", "模板{detail}",
    "Group messages are short; remove large loops and repeats.",
    "群消息应当简短；去掉大循环和重复。",
    bad="welcome: \"{% for i in range(99999) %}欢迎{% endfor %}\"\n", good="welcome: \"欢迎!\"\n",
    group="templates",
))
register(Code(
    "Q305", "template-error", "error",
    "A template fails when it is rendered.", "模板渲染时出错。",
    "template {detail}", "模板{detail}",
    "Render it with sample values in your head: every filter and operation must fit the values given.",
    "用示例数据试算一遍：每个过滤器和运算都要适用于给定的值。",
    bad="welcome: \"{{ group.name + 1 }}\"\n", good="welcome: \"{{ group.name }}\"\n", group="templates",
))

# --- Q9xx: data (rosters and events) -----------------------------------------------

register(Code(
    "Q901", "roster-invalid", "error",
    "A roster row is incomplete or contradicts the rest of the roster.", "花名册中某行不完整，或与其他行矛盾。",
    "{detail}", "{detail}",
    "A roster lists staff (id, name), groups (id, name, type, created_at, ended_at, initial_members) and "
    "assignments (staff_id, role, group_id, from, to).",
    "花名册包括 staff（id、name）、groups（id、name、type、created_at、ended_at、initial_members）和 "
    "assignments（staff_id、role、group_id、from、to）。",
    bad="assignments:\n  - {staff_id: s9, role: owner, group_id: g1, from: 2027-01-01}   # s9 is not in staff\n",
    good="staff:\n  - {id: s9, name: 王小明}\nassignments:\n  - {staff_id: s9, role: owner, group_id: g1, from: 2027-01-01}\n",
    group="data",
))

# The mapping file (events.mapping.yaml): how to read a team's own export. Its shape uses the
# schema codes above (Q101 unknown key, Q104 unknown event type, unit or encoding …); these are
# its own meaning.
register(Code(
    "Q910", "mapping-header-twice", "error",
    "Two qunce columns are read from the same header of the file.", "两个群策列对应了文件中的同一个表头。",
    "header '{header}' is read as {first} already (line {first_line}); {column} cannot read it too",
    "表头 '{header}' 已作为 {first} 读取（第 {first_line} 行），{column} 不能再读取它",
    "A header is one column: map {column} to its own header, or remove the line if the file has no such column.",
    "一个表头只对应一列：请把 {column} 对应到它自己的表头；文件中没有这一列时删掉这一行。",
    bad="columns:\n  member_id: 客户ID\n  staff_id: 客户ID\n", good="columns:\n  member_id: 客户ID\n  staff_id: 员工ID\n",
    group="data",
))
register(Code(
    "Q911", "mapping-header-ignored", "error",
    "A header is read as a column and also listed in ignore:.", "同一个表头既被读取为某列，又写在 ignore: 中。",
    "header '{header}' is read as {column} (line {line}) and listed in ignore: too",
    "表头 '{header}' 已作为 {column} 读取（第 {line} 行），又写在 ignore: 中",
    "Remove it from ignore: to read it as {column}, or remove columns.{column} to leave the column unread.",
    "要读取为 {column}，请从 ignore: 中删掉它；不想读取这一列，请删掉 columns.{column}。",
    bad="columns:\n  ts: 下单时间\nignore: [下单时间, 备注]\n", good="columns:\n  ts: 下单时间\nignore: [备注]\n",
    group="data",
))
register(Code(
    "Q912", "mapping-removed-not-leave", "error",
    "removed: is given for a label whose event type is not leave.", "为事件类型不是 leave 的标签写了 removed:。",
    "removed: applies to leave only; '{label}' is read as {type}",
    "removed: 只适用于 leave；'{label}' 被读作 {type}",
    "removed: true marks a member removed by staff (被移出); other types take just the type (e.g. message).",
    "removed: true 表示成员被员工移出；其他类型只写类型即可（如 message）。",
    bad="types:\n  发言: {type: message, removed: true}\n",
    good="types:\n  发言: message\n  被移出: {type: leave, removed: true}\n", group="data",
))
register(Code(
    "Q913", "mapping-time-directive", "error",
    "A time format uses a directive that DuckDB's strptime does not have.", "时间格式中有 DuckDB strptime 不支持的指令。",
    "unknown directive '{directive}' in the time format{suggestion}",
    "时间格式中有未知的指令 '{directive}'{suggestion}",
    "Directives: %Y %y %m %b %B %d %j %H %I %p %M %S %f %g %n %z %Z %a %A %u %w %U %W %G %V %c %x %X; "
    "%-d %-m %-H %-I %-M %-S %-j %-y without the leading zero; %% is a percent sign.",
    "可用指令：%Y %y %m %b %B %d %j %H %I %p %M %S %f %g %n %z %Z %a %A %u %w %U %W %G %V %c %x %X；"
    "%-d %-m %-H %-I %-M %-S %-j %-y 表示不补零；%% 表示百分号。",
    bad='time:\n  format: "%Y/%m/%e %k:%M"\n', good='time:\n  format: "%Y/%m/%-d %-H:%M"\n', group="data",
))
register(Code(
    "Q914", "mapping-time-no-date", "error",
    "A time format does not give a whole date: a year, a month and a day.", "时间格式没有给出完整的日期（年、月、日）。",
    "the time format '{format}' has no {missing}{note}",
    "时间格式 '{format}' 缺少{missing}{note}",
    "A time needs its day: %Y (or %y), %m (or %b, %B) and %d, or %Y with %j; e.g. \"%Y/%m/%d %H:%M\".",
    "时间需要日期：%Y（或 %y）、%m（或 %b、%B）和 %d，或 %Y 加 %j；如 \"%Y/%m/%d %H:%M\"。",
    bad='time:\n  format: "%H:%M"\n', good='time:\n  format: "%Y/%m/%d %H:%M"\n', group="data",
))
register(Code(
    "Q915", "mapping-time-format-and-unit", "error",
    "time: gives both format: and unit:.", "time: 中同时写了 format: 和 unit:。",
    "time: gives both format: and unit:; a time is text in a format or a number in a unit, not both",
    "time: 中同时写了 format: 和 unit:；时间要么是某种格式的文本，要么是某种单位的数字",
    "Keep format: when the file writes times as text (2027/01/05 09:30), unit: when it writes numbers "
    "(1799136000, 46392.5).",
    "文件中的时间是文本（2027/01/05 09:30）时保留 format:，是数字（1799136000、46392.5）时保留 unit:。",
    bad='time:\n  format: "%Y-%m-%d %H:%M:%S"\n  unit: epoch_seconds\n', good="time:\n  unit: epoch_seconds\n",
    group="data",
))
