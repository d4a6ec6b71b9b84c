"""The handbook's own words in Chinese and English, one table so the two stay in step.

Templates read them as `t.<key>`; the view model uses the ones with {placeholders}. Chinese
uses full-width punctuation (a test checks it).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # --- the frame ---------------------------------------------------------------------
    "handbook": ("运营手册", "Operations handbook"),
    "toc": ("目录", "Contents"),
    "version": ("版本", "Version"),
    "timezone": ("时区", "Time zone"),
    "how_to_read": (
        "本手册由剧本自动生成，剧本改了就重新生成。可直接粘贴的话术用示例值填好（成员「小美」、员工「王小明」），"
        "发送前换成真实的名字。条件按剧本原样换成了文字，如 近90天积分 ≥ 300。",
        "Generated from the playbook: when the playbook changes, generate it again. Paste-ready texts are "
        "filled with sample values (member 小美, staff 王小明): replace them with the real names before sending. "
        "Conditions are the playbook's own, in words, e.g. points in the last 90 days ≥ 300.",
    ),
    "colon": ("：", ": "),
    "semicolon": ("；", "; "),
    "sep": ("、", ", "),
    "lp": ("（", " ("),
    "rp": ("）", ")"),
    # --- section titles ------------------------------------------------------------------
    "sec_groups": ("群定位", "Group types"),
    "sec_entry": ("入群门槛与命名", "Entry thresholds and naming"),
    "sec_rules": ("群规与入群话术", "Group rules and joining texts"),
    "sec_roles": ("团队与分工", "Roles and responsibilities"),
    "sec_content": ("内容规划", "Content plan"),
    "sec_sop": ("SOP 日历（按角色）", "SOP calendar by role"),
    "sec_messages": ("话术库", "Message templates"),
    "sec_membership": ("会员等级", "Membership levels"),
    "sec_points": ("积分规则", "Points"),
    "sec_segments": ("用户分类与策略", "Segments and strategy"),
    "sec_lifecycle": ("社群生命周期", "Group lifecycle"),
    "sec_churn": ("流失预警", "Churn warnings"),
    "sec_commission": ("运营提成", "Commission"),
    "sec_metrics": ("指标口径", "Metric definitions"),
    # --- group types and entry -----------------------------------------------------------
    "groups_intro": ("每种群有自己的目标、内容和门槛。新建群时先确认它属于哪一种。",
                     "Each group type has its own goal, content and threshold. When you open a group, "
                     "know which type it is."),
    "kind": ("基本定位", "Kind"),
    "goal": ("目标", "Goal"),
    "capacity": ("成员上限", "Capacity"),
    "people": ("人", "members"),
    "lifespan": ("存续时长", "Lifespan"),
    "content_mix": ("内容配比", "Content mix"),
    "typical_content": ("典型内容", "Typical content"),
    "staffing": ("每群配置", "Staff per group"),
    "entry_intro": ("门槛用来过滤低质量成员，不是为难优质用户。", "A threshold filters out low-quality members; "
                    "it is not there to make joining hard for good ones."),
    "entry_open": ("开放入群：扫码或链接即可加入。", "Open: anyone with the QR code or link may join."),
    "entry_invite": ("邀请式：只有指定角色或等级的人才能邀请入群。", "By invitation: only the roles or levels "
                     "below may invite."),
    "entry_referral": ("推荐式：须由群内已有成员推荐。", "By referral: an existing member must refer the newcomer."),
    "entry_activity": ("活动式：参加指定活动后才能入群。", "By activity: joining requires taking part in an activity."),
    "entry_paid": ("付费式：支付入群费用后入群。", "Paid: joining requires a fee."),
    "may_invite": ("可邀请的角色", "Who may invite"),
    "inviter_level": ("邀请人等级", "Inviter's level"),
    "referrer_level": ("推荐人等级", "Referrer's level"),
    "level_or_above": ("{level}及以上", "{level} or above"),
    "activity": ("需参加的活动", "Activity"),
    "fee": ("入群费用", "Fee"),
    "naming": ("统一命名", "Naming"),
    "naming_example": ("，如 ", ", e.g. "),
    # --- rules and texts -----------------------------------------------------------------
    "rules_intro": ("以下行为禁止，处罚逐级升级：同一成员再犯，按下一级处罚。",
                    "These are banned; penalties escalate: each repeat offence by the same member gets the next one."),
    "behaviour": ("禁止行为", "Banned behaviour"),
    "what_counts": ("说明", "What counts"),
    "penalties": ("处罚（逐级）", "Penalties (escalating)"),
    "paste_ready": ("可直接粘贴的话术", "Paste-ready texts"),
    "paste_intro": ("每种群的欢迎语和群公告，已按该群类型填好。", "The welcome message and announcement of each "
                    "group type, filled in for that type."),
    "welcome": ("欢迎语", "Welcome message"),
    "announcement": ("群公告", "Group announcement"),
    "tpl_welcome": ("欢迎语", "Welcome message"),
    "tpl_announcement": ("群公告", "Group announcement"),
    # --- roles and SOP -------------------------------------------------------------------
    "duties": ("职责", "Duties"),
    "max_groups": ("每人最多负责", "Groups per person, at most"),
    "per_group": ("每群配置", "Per group"),
    "minutes_per_day": ("每人每天可用时间", "Time per person per day"),
    "reports_to": ("直属上级", "Reports to"),
    "n_groups": ("{n} 个群", "{n} groups"),
    "n_people": ("{n} 人", "{n}"),
    "n_minutes": ("{n} 分钟", "{n} min"),
    "see_sop": ("每天做什么：", "What to do when: "),
    "sop_of": ("{role}的 SOP", "SOP of the {role}"),
    "sop_intro": ("每个角色的标准作业：何时、做什么、花多久、属于哪个流程、适用哪些群。"
                  "定时事项按群的时区执行；「每群」事项在每个群各做一次。",
                  "Each role's standard work: when, what, how long, which flow, for which groups. "
                  "Clock times are in the playbook's time zone; items are done once in each group."),
    "holidays": ("节假日（标注「节假日暂停」的事项当天不做）", "Holidays (items marked \"not on holidays\" pause)"),
    "week_grid": ("一周定时事项", "The week's clock items"),
    "working_hours": ("工作时间", "Working hours"),
    "working_hours_rule": (
        "响应事件的事项（如「每次入群后 10 分钟内」）按执行角色的工作时间计时：事件在工作时间内发生，从发生时起算，"
        "超过下班时间也照常计时；在工作时间外发生，从下一段工作时间开始时起算。例如工作时间为 09:00-22:00 时，"
        "01:40 入群的新人应在 09:10 前欢迎，21:55 入群的在 22:05 前，22:30 入群的在次日 09:10 前。",
        "Items in reply to an event (such as within 10 minutes of a member joining) follow the working hours of "
        "the role that does them: an event during working hours starts the clock when it happens, even when "
        "that runs past the end of the span; an event outside them starts it when the next working span "
        "begins. With 09:00-22:00, a member who joins at 01:40 is welcomed by 09:10, one who joins at 21:55 by "
        "22:05, one who joins at 22:30 by 09:10 the next day."),
    # SOP 考核 (compile/docs/assessed.py; the words of docs/sop-assessment.md and docs/glossary.md)
    "assessed_by": ("考核方式", "Assessed by"),
    "assess_rule": (
        "考核方式：模拟（qunce simulate）从事件数据看每项任务是否完成。证据随事项而定：群内发言（当天在该群担任该角色的人"
        "在群里发的消息）、一对一触达（对该成员的 reach 事件）或登记完成（sop_done 事件）；任何事项也都可以用 sop_done "
        "事件登记完成。证据落在考核窗口内为按时：定时事项为计划时刻前后的宽限时间内（两端都算；宽限时间取事项的 tolerance，"
        "否则 calendar.tolerance，都没写时为 30 分钟），响应事件的事项为事件发生后至时限内，没有时刻的事项为当天内。"
        "窗口结束后 24 小时内完成为迟做，再晚为漏做；数据结束时这 24 小时还没过完的为未到期；靠登记完成考核的事项，"
        "数据中一条登记也没有时为不可考核，不算漏做。",
        "How each item is assessed: the simulation (qunce simulate) looks in the event data for what shows each "
        "task done. The evidence follows from the item: a post in the group (a message in that group by someone "
        "holding the item's role there that day), a one-to-one reach (a reach event with the member) or logged as "
        "done (a sop_done event); any item may also be logged as done with a sop_done event. Evidence inside the "
        "task's window is on time: for a scheduled item, the tolerance either side of its time (both ends "
        "included; the item's tolerance, else calendar.tolerance, else 30 minutes); for a reply to an event, from "
        "the event to its deadline; for an item without a time of day, during its day. Done within 24 hours after "
        "the window is late, later missed; a task whose 24 hours have not run out when the data ends is not due "
        "yet; an item assessed by logging that the data never logs is not observable, never missed."),
    "evidence_post": ("群内发言", "a post in the group"),
    "evidence_reach": ("一对一触达", "a one-to-one reach"),
    "evidence_logged": ("登记完成（sop_done）", "logged as done (sop_done)"),
    "assess_at": ("{evidence}，计划时刻前后 {tolerance}内", "{evidence}, within {tolerance} either side of its time"),
    "assess_reply": ("{evidence}，事件发生后至时限内", "{evidence}, from the event to its deadline"),
    "assess_reply_tolerance": ("{evidence}，事件发生后 {tolerance}内", "{evidence}, within {tolerance} of the event"),
    "assess_day": ("{evidence}，当天内", "{evidence}, during the day"),
    "assess_created": ("{evidence}，建群当天内", "{evidence}, on the day the group is created"),
    "assess_created_within": ("{evidence}，建群后 {within}内", "{evidence}, within {within} of the group's creation"),
    "assess_warning": ("{evidence}，由预警的负责人在预警次日至到期日内完成",
                       "{evidence} by the warning's owner, from the day after the warning to its due date"),
    "time": ("时刻", "Time"),
    "when": ("何时", "When"),
    "task": ("事项", "Item"),
    "what": ("做什么", "What to do"),
    "minutes": ("耗时", "Time"),
    "flow": ("流程", "Flow"),
    "group_types": ("适用群", "Groups"),
    "all_groups": ("全部群", "all groups"),
    "send_template": ("发送话术：", "Send: "),
    "skip_holidays_note": ("（节假日暂停）", " (not on holidays)"),
    "not_on_holidays": ("节假日暂停", "not on holidays"),
    "per_person_note": ("（每人一次，覆盖所负责的各群）", " (once per person, for all their groups)"),
    "messages_intro": ("SOP、流失预警和会员关怀引用的全部话术，已用示例值填好。",
                       "Every message the SOP, churn warnings and member care refer to, filled with sample values."),
    "used_by": ("用于", "Used by"),
    "sop": ("SOP", "SOP"),
    "churn": ("流失预警", "churn warning"),
    "care": ("会员关怀", "Member care"),
    # --- content -------------------------------------------------------------------------
    "content_activation": ("促活：按成员的性别、年龄、职业等定制，高频发布。",
                           "Activation: tailored to members' gender, age, job; published often."),
    "content_conversion": ("转化：按使用场景和潜在需求（技能、思维、工具）策划，中频发布。",
                           "Conversion: by use case and latent need (skills, thinking, tools); medium frequency."),
    "content_brand": ("品宣：触动情绪的话题，低频发布。", "Brand: topics that touch a nerve; low frequency."),
    "item": ("项目", "Item"),
    "detail": ("内容", "Detail"),
    "cadence": ("频率", "Cadence"),
    "basis": ("依据", "Tailored by"),
    "topics": ("选题", "Topics"),
    "sources": ("来源", "Sources"),
    "production": ("生产流程", "Production"),
    "optimise": ("内容优化", "Optimising content"),
    # --- membership and points -----------------------------------------------------------
    "levels_intro": ("会员等级{evaluate}评定一次。满足晋升条件即晋升（可连升多级）；不再满足保级条件时降级，{demotion}。",
                     "Levels are evaluated {evaluate}. A member who meets a level's promotion condition is promoted "
                     "(possibly several levels at once); one who no longer meets the keep condition is demoted, "
                     "{demotion}."),
    "demotion_one_step": ("每次降一级", "one level at a time"),
    "demotion_recompute": ("按当前数据重新计算等级", "to the level the current figures reach"),
    "promote_when": ("晋升条件", "Promoted when"),
    "keep_when": ("保级条件", "Kept while"),
    "demote_otherwise": ("，否则降级", "; otherwise demoted"),
    "entry_level": ("入群即是", "everyone starts here"),
    "min_stay": ("保级期", "Protected"),
    "min_stay_n": ("到达该等级后（晋升或降级到达都算），之后 {n} 次评定（{period}）不降级",
                   "not demoted for {n} evaluation period{s} ({period}) after reaching it, by promotion or demotion"),
    "rights": ("权益", "Rights"),
    "obligations": ("义务", "Obligations"),
    "permissions": ("权限", "Permissions"),
    "care_name": ("关怀", "Care"),
    "levels": ("适用等级", "Levels"),
    "all_levels": ("全部等级", "all levels"),
    "template": ("话术", "Message"),
    "incentives": ("激励", "Incentives"),
    "points_rule": ("规则", "Rule"),
    "event": ("事件", "Event"),
    "points": ("积分", "Points"),
    "cap": ("上限", "Cap"),
    "only_when": ("仅限", "Only when"),
    "points_each": ("每次 +{n}", "+{n} each"),
    "points_per_yuan": ("每消费 1 元 +{n}", "+{n} per yuan spent"),
    "points_cap": ("每{per}最多 {n} 分", "at most {n} a {per}"),
    "expire_after": ("积分自获得起 {after}后过期，按获得的先后逐批过期（先进先出）。",
                     "Points expire {after} after they were earned, oldest batch first."),
    "never_expire": ("积分不过期。", "Points do not expire."),
    "refunds_deduct": ("订单退款时，扣回该订单获得的积分。", "A refund takes back the points its order earned."),
    "refunds_keep": ("订单退款不扣积分。", "Refunds do not take points back."),
    # --- segments, lifecycle, churn ------------------------------------------------------
    "first_match": ("按顺序判断，成员归入第一个满足条件的分类。", "In order: a member belongs to the first segment "
                    "whose condition holds."),
    "segment": ("分类", "Segment"),
    "condition": ("条件", "Condition"),
    "satisfaction": ("满意度", "Satisfaction"),
    "loyalty": ("忠诚度", "Loyalty"),
    "strategy": ("运营策略", "Strategy"),
    "everyone_else": ("其余所有人", "everyone else"),
    "lifecycle_intro": ("每个群都会老化，直到解散。本剧本按顺序判断群的状态（{states}），群处于第一个满足条件的状态。",
                        "Every group ages until it is dissolved. This playbook checks its states in order ({states}): "
                        "a group is in the first whose condition holds."),
    "state": ("状态", "State"),
    "dissolve_after": ("持续多久后解散", "Dissolved after"),
    "action": ("应对措施", "Action"),
    "every_other_group": ("其余所有群", "every other group"),
    "churned_after": ("流失的定义：超过 {after}既未发言也未下单的成员。",
                      "Churned: a member who has neither posted nor ordered for {after}."),
    "churn_intro": ("每个成长阶段的预警指标和跟进动作。预警出现后，由负责人在时限内跟进。",
                    "Warning signs for each stage of a member's growth, and the action each calls for, "
                    "taken by the role shown within the time shown."),
    "stage": ("阶段", "Stage"),
    "warning": ("预警", "Warning"),
    "who": ("负责人", "Who"),
    "within": ("时限", "Within"),
    # --- commission ----------------------------------------------------------------------
    "commission_intro": ("运营团队按结果提成。每一笔提成都能按下面的规则算出来。",
                         "The operations team is paid by results; every payout can be worked out from these rules."),
    "period": ("结算周期", "Period"),
    "pool": ("奖金池", "Pool"),
    "pool_per_group": ("每群 {amount}（100% 达成时）", "{amount} per group (at 100% attainment)"),
    "pool_per_staff": ("每人 {amount}（100% 达成时）", "{amount} per staff member (at 100% attainment)"),
    "pool_sales_share": ("群销售额的 {share}", "{share} of the group's sales"),
    "staff_cap": ("个人封顶（每人每期）", "Cap per person per period"),
    "clawback": ("退款追回", "Clawback"),
    "clawback_yes": ("结算后发生的退款，在退款发生的周期扣回。", "Refunds after a period are taken back in the period "
                     "they happen."),
    "clawback_no": ("结算后的退款不追回。", "Refunds after a period are not taken back."),
    "kpis": ("考核指标", "KPIs"),
    "attainment_rule": ("达成率 = 实际值 ÷ 目标值；越低越好的指标（如退群率）为 目标值 ÷ 实际值。",
                        "Attainment = actual ÷ target; for a lower-is-better KPI (such as the leave rate), "
                        "target ÷ actual."),
    "kpi": ("考核项", "KPI"),
    "metric": ("指标", "Metric"),
    "target": ("目标", "Target"),
    "weight": ("权重", "Weight"),
    "direction": ("方向", "Direction"),
    "pay_curve": ("提成曲线", "Pay curve"),
    "rate_table": ("阶梯系数表", "Rate table"),
    "pay_factor": ("提成系数", "Payout factor"),
    "curve_rule": ("达成率换算成提成系数：两点之间按直线取值；低于第一个点时，从 0 直线升到第一个点；"
                   "超过最后一个点时，按最后一个点的系数。",
                   "Attainment becomes a payout factor: a straight line between two points; below the first point, "
                   "a straight line from 0; beyond the last point, the last point's factor."),
    "attainment": ("达成率", "Attainment"),
    "factor": ("提成系数", "Factor"),
    "curve_floor": ("起提线", "Floor"),
    "curve_floor_note": ("，低于它该指标不计提成", ": below it the KPI pays nothing"),
    "curve_cap": ("系数封顶", "Highest factor"),
    "rates_tiered": ("全额累进：按达成率所在的档，整个达成率适用该档系数。",
                     "Tiered: the rate of the bracket the attainment reaches applies to the whole attainment."),
    "rates_marginal": ("超额累进：达成率落在各档的部分，分别按该档系数计算后相加。",
                       "Marginal: each part of the attainment is paid at the rate of the bracket it falls in."),
    "bracket_from": ("达成率自", "From attainment"),
    "rate": ("阶梯系数", "Rate"),
    "factor_is_attainment": ("提成系数 = 达成率。", "The factor is the attainment."),
    "payout": ("怎么算", "How it is paid"),
    "payout_rule": ("每个指标的提成 = 奖金池 × 权重 × 提成系数；各指标相加，再加达标奖励；发放门槛未达标时，"
                    "指标提成和奖励都按下面的比例发放；最后按分成比例分给各角色，每人不超过个人封顶。",
                    "Each KPI pays pool × weight × factor; the KPIs are added up, plus the bonuses; when the gate "
                    "is closed, both are paid at the share below; the result is split by role, each person up to "
                    "the cap."),
    "gate": ("发放门槛", "Gate"),
    "gate_otherwise": ("未达标时按 {share} 发放", "when it does not hold, {share} is paid"),
    "gate_zero": ("不满足时本期没有提成", "when it does not hold, nothing is paid"),
    "bonuses": ("达标奖励", "Bonuses"),
    "bonus": ("奖励", "Bonus"),
    "amount": ("金额", "Amount"),
    "split": ("按角色分配", "Split by role"),
    "role": ("角色", "Role"),
    "share": ("比例", "Share"),
    "adjust": ("动态调整", "Dynamic adjustments"),
    "adjust_intro": ("本期满足条件时，下一期按下表移动权重（权重合计始终为 100%）。",
                     "When a condition holds in a period, the next period's weights move as shown (they always add "
                     "up to 100%)."),
    "adjust_move": ("下一期", "Next period"),
    "adjust_move_words": ("把 {move} 的权重从「{source}」移到「{target}」", "move {move} of weight from {source} to "
                          "{target}"),
    "reason": ("原因", "Why"),
    "commission_conventions": ("计算约定", "Conventions"),
    "commission_conventions_intro": ("下面这些约定决定每一分钱怎么算；命令 qunce explain --staff 打印的提成明细"
                                     "末尾也列出它们。",
                                     "These conventions decide how every fen is worked out; the commission trace "
                                     "that qunce explain --staff prints ends with them too."),
    "step": ("步骤", "Step"),
    "how": ("算法", "How"),
    "value": ("数值", "Value"),
    # --- metrics -------------------------------------------------------------------------
    "metrics_intro": ("报表、提成和本手册里的每个指标都按下面的口径计算。",
                      "Every metric in reports, commission and this handbook is computed as defined here."),
    "conventions": ("统计口径", "Conventions"),
    "basis_is": ("「群成员数」按{basis}口径：", "\"Members\" is counted at the {basis}: "),
    "basis_start": ("期初第一天开始时的成员数。", "the members at the start of the period's first day."),
    "basis_end": ("期末最后一天结束时的成员数。", "the members at the end of the period's last day."),
    "basis_average": ("期内每天（日初 + 日末）÷ 2 的平均值。", "the mean over the period's days of "
                      "(start of day + end of day) ÷ 2."),
    "interaction_daily": ("互动率先按天算（当天发过有效消息的成员数 ÷ 当天成员数），再取期内日均。",
                          "The interaction rate is worked out per day (members who posted a valid message ÷ members "
                          "that day), then averaged over the period."),
    "valid_message": ("有效消息：至少 {n} 个字，未被标记为违规，且不是员工发的。",
                      "A valid message has at least {n} characters, is not flagged as banned, and is not posted by staff."),
    "retention_days": ("留存率的 N 为 {n} 天：期内新成员在入群 {n} 天后仍在群的比例。",
                       "Retention uses N = {n} days: new members of the period still in the group {n} days after "
                       "joining."),
    "sales_net": ("销售额 = 订单金额 − 退款金额，各按发生当天计入周期。",
                  "Sales = order amount − refunds, each counted on the day it happened."),
    "zero_denominator": ("分母为 0 的比率记为 0。", "A rate whose denominator is 0 is 0."),
    "weeks": ("每周从周一开始；日期按 {timezone} 时区。", "Weeks start on Monday; days are in the {timezone} time "
              "zone."),
    "stage_acquisition": ("获客期", "Acquisition"),
    "stage_activation": ("激活期", "Activation"),
    "stage_retention": ("留存期", "Retention"),
    "stage_monetisation": ("变现期", "Monetisation"),
    "stage_private_domain": ("私域", "Private domain"),
    "metric_other": ("英文", "中文"),
    "definition": ("定义", "Definition"),
    "custom_metrics": ("自定义指标", "Custom metrics"),
    "scope": ("范围", "Scope"),
    "how_computed": ("计算方式", "Computed as"),
}


def words(lang: str) -> dict[str, str]:
    """Every word of the handbook in `lang` (zh or en)."""
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in WORDS.items()}
