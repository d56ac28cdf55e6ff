"""The CLI's `units`, `leaders`, `handed` and `duty` (ACCOUNTABILITY.md "CLI")."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .db import DEFAULT_DB
from .periods import Scope

ACCOUNTABILITY_COMMANDS = ("units", "leaders", "handed", "duty")
EXIT_REFUSED = 1


def _reception_options(p: argparse.ArgumentParser, date_type) -> None:
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--as-of", type=date_type, help="统计日（默认：库中最晚登记日期）")
    p.add_argument("--from", dest="start", type=date_type, help="期间起（默认：统计日所在年 1 月 1 日）")
    p.add_argument("--to", dest="end", type=date_type, help="期间止（默认：统计日）")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def add_accountability_commands(commands, scope_options, date_type) -> None:
    p = commands.add_parser("units", help="责任单位办理情况（最差的在前）")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    scope_options(p)
    for name, text in (("leaders", "县级领导接访、约访、下访、调度情况"), ("handed", "接访交办件办理进度")):
        p = commands.add_parser(name, help=text)
        _reception_options(p, date_type)
        p.add_argument("--township", action="append", default=[], help="乡镇，可重复")
        p.add_argument("--village", action="append", default=[], help="村(社区)，可重复")
    p = commands.add_parser("duty", help="坐班接访安排与坐班到岗率")
    _reception_options(p, date_type)
    p.add_argument("--township", help="乡镇值班表（默认：县级领导坐班）")
    p.add_argument("--out", type=Path, help="发布值班表（.xlsx 或 .docx，A4），期间为 --from..--to，不截至统计日")


def _scope(args) -> Scope:
    return Scope(*(tuple(getattr(args, name, None) or ()) for name in
                   ("township", "village", "category", "channel", "unit")))


def _text(command: str, result) -> str:
    if command == "duty":
        rate = "—" if result["duty_kept_rate"] is None else f"{result['duty_kept_rate']:.1%}"
        lines = [f"{d['date']} {d['weekday']} {d['leader']}{'（' + d['window'] + '）' if d['window'] else ''}"
                 f" {'到岗' if d['kept'] else '未到岗'}" for d in result["days"]]
        return "\n".join(lines + [f"坐班到岗率：{rate}（{result['kept_days']}/{result['duty_days']}）"])
    if not result:
        return "（无）"
    return "\n".join("  ".join("—" if v is None else str(v) for v in row.values()) for row in result)


def run_accountability(con, args, emit) -> int:
    # Imported here, not at the top: every CLI start builds the parser from this module, and the
    # roster's docx/xlsx writers alone cost a fresh `kpi` process ~0.5 s of imports (#14.4).
    from .metrics.accountability import handed, leaders, units
    from .metrics.duty import DutyError, duty, roster
    from .outputs.duty_roster import write_roster
    if args.command == "duty":
        try:
            if args.out:
                if not (args.start and args.end) or args.out.suffix.lower() not in (".xlsx", ".docx"):
                    print("发布值班表须指定 --from、--to，且 --out 为 .xlsx 或 .docx 文件。", file=sys.stderr)
                    return 2
                days, _ = roster(con, args.township, args.start, args.end)
                write_roster(days, args.out, args.township)
                emit({"out": str(args.out), "days": len(days)}, args.json, f"已生成 {args.out}")
                return 0
            result = duty(con, args.township, args.as_of, args.start, args.end)
        except DutyError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_REFUSED
    else:
        result = {"units": units, "leaders": leaders, "handed": handed}[args.command](
            con, _scope(args), args.as_of, args.start, args.end)
    emit(result, args.json, _text(args.command, result))
    return 0
