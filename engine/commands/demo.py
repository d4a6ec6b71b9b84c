"""`qunce demo`: the whole job on the bundled complete example, in a folder of the user's
choosing: copy the playbook, generate a month of events for it, validate, simulate (with the
commission statements and the payouts workbook), compile the staff task lists and calendars, and
write the handbook. Embedded DuckDB, no server, no network."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..compile.words import date_range
from ..errors import EXIT_CLEAN, QunceError
from ..files import ensure_folder, write_text_atomic
from ..model import Playbook
from ..resources import resource

EXAMPLE = "brand-complete.yaml"
# A month of a mid-sized operation: enough to see promotions, dying groups and payouts, small
# enough to finish in seconds. ~330 members a group: the example's targets (150 net new members
# and ¥60,000 a group a month) need that many for its groups to reach them (the generator aims
# each group at its targets, events/generate_scale.py, with the members it is given).
GROUPS, MEMBERS, DAYS = 60, 20000, 31
START = dt.date(2027, 1, 1)
SEED = 1
TASK_DAYS = 7  # the task lists and calendars cover the first week


@dataclass
class Step:
    name: str
    seconds: float
    lines: list[str] = field(default_factory=list)  # what was written, and the figures to look at


Say = Callable[[str, str], str]


@dataclass
class DemoOutcome:
    status: int = EXIT_CLEAN
    steps: list[Step] = field(default_factory=list)
    lang: str = "zh"  # the run's language: --lang, else QUNCE_LANG, else the example's locale


def run(folder: Path, lang: str | None, report: Callable[[Step], None] = lambda step: None) -> DemoOutcome:
    """The demo into `folder` (replaced whole at the end: a folder holding the user's own files,
    an edited playbook.yaml say, is refused), its words in `lang`; `report(step)` is called as
    each step ends, with the paths it names as they will be."""
    from ..output_folder import replaced_whole

    with replaced_whole(folder, "qunce demo") as staged:
        work = str(staged.path)

        def shown(step: Step) -> None:
            report(Step(step.name, step.seconds, [line.replace(work, str(folder)) for line in step.lines]))

        steps, spoken = run_demo(staged.path, lang, shown, named=folder)
    return DemoOutcome(steps=[Step(s.name, s.seconds, [line.replace(work, str(folder)) for line in s.lines])
                              for s in steps], lang=spoken)


def run_demo(folder: Path, asked: str | None, report: Callable[[Step], None],
             named: Path | None = None) -> tuple[list[Step], str]:
    """Every step of the demo into `folder`, in one language (`asked`, else QUNCE_LANG, else the
    example's locale: language.settle); `report(step)` is called as each step ends; `named`: the
    folder as the user named it, when `folder` stages it. Raises QunceError (with what failed)
    when a step cannot be done."""
    from .language import settle

    lang = "zh"

    def say(en: str, zh: str) -> str:
        return zh if lang == "zh" else en

    steps: list[Step] = []

    def done(step: Step) -> None:
        steps.append(step)
        report(step)

    ensure_folder(folder)
    playbook_path = folder / "playbook.yaml"
    began = time.perf_counter()
    text = resource("playbooks", EXAMPLE).read_text(encoding="utf-8")
    write_text_atomic(playbook_path, text)
    playbook = _validated(playbook_path)
    lang = settle(asked, playbook)
    done(Step(say("copy and validate the example playbook", "复制并检查示例剧本"), time.perf_counter() - began,
              [f"{playbook_path}" + say(": ", "：") + say("no problems found", "未发现问题")]))

    began = time.perf_counter()
    from ..events.generate_follow_ups import generate_staffed_files
    from .generated_follow_ups import follow_ups
    from .generated_tasks import staffed_tasks

    events, roster, summary = generate_staffed_files(playbook, folder / "events.parquet", GROUPS, MEMBERS, DAYS, START,
                                                     SEED, tasks=staffed_tasks, follow_ups=follow_ups)
    done(Step(say("generate a month of events", "生成一个月的事件数据"), time.perf_counter() - began, [
        f"{events}" + say(": ", "：") + say(f"{summary.rows:,} events, {date_range(summary.start, summary.end, 'en')}",
                            f"{summary.rows:,} 条事件，{date_range(summary.start, summary.end, 'zh')}"),
        f"{roster}" + say(": ", "：") + say(f"{summary.groups} groups, {summary.staff} staff, {summary.members:,} members",
                            f"{summary.groups} 个群，{summary.staff} 名员工，{summary.members:,} 名成员")]))

    from ..compile.docs.handbook import write_handbook

    own = lang  # statements, task lists, calendars, the handbook and the report: the run's language
    began = time.perf_counter()
    lines = _simulate(playbook, playbook_path, events, roster, folder, own, say, named or folder)
    done(Step(say("simulate", "模拟"), time.perf_counter() - began, lines))

    began = time.perf_counter()
    lines = _tasks(playbook, playbook_path, roster, folder, own, lang, say)
    done(Step(say("compile task lists and calendars", "生成任务清单与日历"), time.perf_counter() - began, lines))

    began = time.perf_counter()
    written = write_handbook(playbook, folder / "handbook", ("md", "html"), own)
    done(Step(say("write the handbook", "生成运营手册"), time.perf_counter() - began,
              [f"{w.path} ({w.size / 1000:.0f} KB)" for w in written]))
    return steps, lang


def _validated(path: Path) -> Playbook:
    from .playbook import check

    checked = check(path)
    if checked.playbook is None:  # the bundled example is checked by the tests; this is a broken install
        n = len(checked.report.diagnostics)
        raise QunceError(f"the bundled example {path} has {n} problems; run qunce validate",
                         f"示例剧本 {path} 有 {n} 个问题；请运行 qunce validate")
    return checked.playbook


def _simulate(playbook: Playbook, playbook_path: Path, events: Path, roster: Path, folder: Path, lang: str,
              say: Say, named: Path) -> list[str]:
    from decimal import Decimal

    from ..commission.formatting import money
    from .data import DataRequest
    from .simulate import SimulateOutcome, SimulateRequest, simulate

    out = folder / "simulation"
    inputs = {"playbook": str(named / playbook_path.name), "events": str(named / events.name),
              "roster": str(named / roster.name)}
    # With the workbook finance opens (payouts.xlsx): the example has a commission. Events just
    # generated into a new folder are never read again: nothing to keep in the cache.
    request = SimulateRequest(playbook_path, DataRequest(events, roster, cache=False), out, lang=lang, inputs=inputs,
                              xlsx=playbook.commission is not None, report=True)
    outcome = simulate(playbook, request, SimulateOutcome(lang=lang))
    if outcome.status != EXIT_CLEAN:  # generated data is clean; this is a bug
        raise QunceError("the generated events could not be simulated", "生成的事件无法模拟")
    summary = outcome.summary
    lines = [f"{out}/" + say(": ", "：") + say(f"{len(outcome.written)} tables (Parquet and CSV), summary.json",
                               f"{len(outcome.written)} 张表（Parquet 与 CSV）、summary.json")]
    changes = summary.get("level_changes", {})
    promoted = sum(v.get("promote", 0) for v in changes.values())
    demoted = sum(v.get("demote", 0) for v in changes.values())
    dissolve = sum(sum(v.values()) for v in summary.get("should_dissolve", {}).values())
    warnings = sum(sum(v.values()) for v in summary.get("churn_warnings", {}).values())
    lines.append(say(f"levels: {promoted:,} promoted, {demoted:,} demoted; {dissolve:,} groups should be dissolved; "
                     f"{warnings:,} churn warnings", f"会员：{promoted:,} 人晋升，{demoted:,} 人降级；{dissolve:,} 个群应解散；"
                     f"流失预警 {warnings:,} 条"))
    sop = summary.get("sop")
    if sop:  # SOP 考核: the tasks the staff carried out on time, over every role
        roles = sop["by_role"]
        due, on_time = sum(r["due"] for r in roles), sum(r["on_time"] for r in roles)
        late, missed = sum(r["late"] for r in roles), sum(r["missed"] for r in roles)
        rate = f"{on_time / (on_time + late + missed):.1%}" if on_time + late + missed else "—"
        lines.append(say(f"SOP: {due:,} tasks due, {rate} on time, {late:,} late, {missed:,} missed "
                         f"(per person in sop_compliance)",
                         f"SOP 考核：应做 {due:,} 项，准时率 {rate}，迟做 {late:,} 项，漏做 {missed:,} 项（每人见 sop_compliance）"))
    commission = summary.get("commission")
    if commission:
        for period, values in commission["periods"].items():
            lines.append(say(f"commission {period}: {money(Decimal(values['total']))} to {values['staff']} staff; "
                             f"one statement each in {out}/statements/",
                             f"提成 {period}：{values['staff']} 名员工共 {money(Decimal(values['total']))}；"
                             f"每人的结算单在 {out}/statements/"))
    workbook = summary.get("workbook")
    if workbook:
        sheets = [f"{name} {rows:,}" for name, rows in workbook["sheets"].items()]
        lines.append(f"{out}/{workbook['file']}" + say(": ", "：") + say(f"the workbook for finance: {', '.join(sheets)} rows",
                                                         f"供财务使用的工作簿：{'，'.join(sheets)} 行"))
    if (out / "report.html").is_file():
        lines.append(f"{out}/report.html" + say(": ", "：") + say("the simulation as charts, one page that works offline",
                                                  "模拟结果的图表，单个网页，离线可看"))
    return lines


def _tasks(playbook: Playbook, playbook_path: Path, roster: Path, folder: Path, own: str, lang: str,
           say: Say) -> list[str]:
    from ..compile import output
    from .tasks import TasksOutcome, TasksRequest, compile_and_write

    end = START + dt.timedelta(days=TASK_DAYS - 1)
    out = folder / "tasks"
    outcome = compile_and_write(playbook, TasksRequest(playbook_path, roster, START, end, fmt="csv",
                                                       out=out / "tasks.csv", capacity=out / "capacity.csv",
                                                       lang=own), TasksOutcome(lang=own))
    task_list = outcome.task_list
    if task_list is None:
        raise QunceError("the generated roster could not be read", "生成的花名册无法读取")
    title = task_list.playbook.playbook
    output.write(out / "tasks.md", output.render(task_list, "md", own, title))
    calendars = output.write_split(task_list, "ics", out / "calendars", own)
    return [f"{out}/tasks.csv, tasks.md" + say(": ", "：") + say(f"{task_list.tasks.num_rows:,} tasks, {date_range(START, end, 'en')}",
                                                 f"{task_list.tasks.num_rows:,} 项任务，{date_range(START, end, 'zh')}"),
            f"{out}/calendars/" + say(": ", "：") + say(f"{len(calendars):,} calendars (.ics), one per staff member",
                                        f"{len(calendars):,} 个日历（.ics），每人一个"),
            f"{out}/capacity.csv", *output.summary(task_list, lang)]
