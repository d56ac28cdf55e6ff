"""The command line (CLI.md): `python -m queries` or `xinfang`.

Output with --json is one JSON document on stdout; messages go to stderr. Exit status: 0 on
success, 1 when the input was refused, 2 for wrong usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from .accountability.commands import ACCOUNTABILITY_COMMANDS, add_accountability_commands, run_accountability
from .db import DEFAULT_DB, open_reader, writing
from .periods import Scope

EXIT_REFUSED = 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_date, help="统计日（默认：库中最晚登记日期）")
    parser.add_argument("--from", dest="start", type=_date, help="期间起（默认：统计日所在年 1 月 1 日）")
    parser.add_argument("--to", dest="end", type=_date, help="期间止（默认：统计日）")
    parser.add_argument("--township", action="append", default=[], help="乡镇，可重复")
    parser.add_argument("--village", action="append", default=[], help="村(社区)，可重复")
    parser.add_argument("--category", action="append", default=[], help="问题分类，可重复")
    parser.add_argument("--channel", action="append", default=[], help="信访形式，可重复")
    parser.add_argument("--unit", action="append", default=[], help="责任单位，可重复")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _scope(args) -> Scope:
    return Scope(tuple(args.township), tuple(args.village), tuple(args.category), tuple(args.channel),
                 tuple(getattr(args, "unit", ())))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xinfang", description="信访看板命令行：导入台账、计算指标与排名。")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("import", help="导入信访事项台账（xlsx/xls/csv）")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--as-of", type=_date, help="导入日（默认：今天），晚于此日登记的行被拒收")
    p.add_argument("--json", action="store_true")

    for name, text in (("kpi", "三降四升五不指标"), ("rank", "村(社区)排名")):
        p = commands.add_parser(name, help=text)
        p.add_argument("--db", type=Path, default=DEFAULT_DB)
        _scope_options(p)

    p = commands.add_parser("report", help="生成联席会议材料：汇报幻灯片（pptx）、通报（docx/md）、三个清单（xlsx）")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--format", required=True, choices=("pptx", "docx", "xlsx", "md"))
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--unmasked", action="store_true", help="xlsx 不脱敏（文件首页注明；须 --reason，记入审计日志）")
    p.add_argument("--reason", help="导出未脱敏文件的理由")
    _scope_options(p)

    p = commands.add_parser("incident", help="登记或列出个人极端事件、负面炒作（计入五不）")
    p.add_argument("action", choices=("add", "list"))
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--kind", choices=("extreme", "publicity"), help="extreme=个人极端事件，publicity=负面炒作")
    p.add_argument("--date", type=_date, help="发生日期")
    p.add_argument("--township")
    p.add_argument("--village")
    p.add_argument("--description", help="事件描述")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("user", help="在本地用户文件中添加登录用户（密码以加盐哈希保存）")
    p.add_argument("action", choices=("add",))
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=("leader", "cadre", "admin"),
                   help="leader=县/镇领导，cadre=村(社区)干部，admin=信访办管理员")
    p.add_argument("--name", help="显示名")
    p.add_argument("--township", action="append", default=[], help="所辖乡镇，可重复；不填为全县")
    p.add_argument("--village", action="append", default=[], help="所属村(社区)，村干部必填")
    p.add_argument("--email", help="OIDC 登录时对应的邮箱")
    p.add_argument("--users-file", type=Path, help="用户文件（默认：配置 auth.users_file）")

    add_accountability_commands(commands, _scope_options, _date)

    p = commands.add_parser("demo", help="生成演示数据库")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--json", action="store_true")
    return parser


def _emit(document, as_json: bool, text: str) -> None:
    if as_json:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)


def _import_text(report: dict) -> str:
    lines = []
    for f in report["files"]:
        if f["refused"]:
            lines.append(f"{f['file']}：拒收整个文件——{f['refused']}")
            continue
        kind = {"receptions": "领导接访登记台账", "roster": "坐班接访值班表"}.get(f.get("kind"), "信访事项台账")
        lines.append(f"{f['file']}（{kind}）：读取 {f['rows_read']} 行 = 新增 {f['imported']} + 更新 {f['updated']}"
                     f" + 拒收 {f['rejected']} + 跳过 {f['skipped']}（合计/空行）；警告 {f['warnings']} 条")
        if f["columns_unused"]:
            lines.append(f"  未使用的列：{'、'.join(f['columns_unused'])}")
    lines.append(f"库中共有信访事项 {report['cases_total']} 件。")
    return "\n".join(lines)


def _require_db(path: Path) -> None:
    if not path.exists():
        print(f"数据库不存在：{path}。请先导入数据（xinfang import …）或生成演示数据（xinfang demo）。",
              file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def _incident(args) -> int:
    from .analysis import add_incident, all_incidents
    if args.action == "add":
        if not (args.kind and args.date and args.description):
            print("登记事件需要 --kind、--date 和 --description。", file=sys.stderr)
            return 2
        with writing(args.db) as con:
            incident_id = add_incident(con, args.kind, args.date, args.description, args.township, args.village)
        _emit({"incident_id": incident_id}, args.json, f"已登记事件 #{incident_id}")
        return 0
    frame = all_incidents(open_reader(args.db))
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    _emit(records, args.json, frame.to_string(index=False) if len(frame) else "（无事件）")
    return 0


def _report(con, args) -> int:
    from .access import CLI_USER, record_audit
    from .report import ReportRequest, write_report
    request = ReportRequest(_scope(args), args.as_of, args.start, args.end)
    if args.unmasked and args.format != "xlsx":
        print("只有 xlsx 清单含个人信息；幻灯片和通报从不含个人信息，无需 --unmasked。", file=sys.stderr)
        return 2
    if args.unmasked and not (args.reason or "").strip():
        print("导出未脱敏文件须用 --reason 说明理由（记入审计日志）。", file=sys.stderr)
        return 2
    write_report(con, args.format, args.out, request, masked=not args.unmasked)
    if args.unmasked:
        with writing(args.db) as writer:
            record_audit(writer, CLI_USER, f"导出未脱敏{args.format}：{args.out.name}", request.scope, args.reason)
    _emit({"out": str(args.out), "format": args.format}, args.json, f"已生成 {args.out}")
    return 0


def _add_user(args) -> int:
    import getpass

    from .access import add_user, user_entry
    password = getpass.getpass("密码：") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("密码至少 8 位。", file=sys.stderr)
        return EXIT_REFUSED
    try:
        entry = user_entry(args.name or args.username, args.role, password, args.township, args.village, args.email)
        add_user(args.username, entry, args.users_file)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    print(f"已添加用户 {args.username}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        print(f"数据库 {args.db} 正被另一个程序以写方式直接打开，请关闭该程序后再运行命令。", file=sys.stderr)
        return EXIT_REFUSED


def _run(args) -> int:
    if args.command == "import":
        from .importer import import_files
        missing = [str(f) for f in args.files if not f.is_file()]
        if missing:
            print(f"找不到文件：{'、'.join(missing)}", file=sys.stderr)
            return EXIT_REFUSED
        with writing(args.db) as con:
            report = import_files(con, args.files, args.as_of)
        _emit(report, args.json, _import_text(report))
        return EXIT_REFUSED if any(f["refused"] for f in report["files"]) else 0
    if args.command == "user":
        return _add_user(args)
    if args.command == "demo":
        from .demo import build_demo
        try:
            report = build_demo(args.db)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_REFUSED
        _emit(report, args.json, _import_text(report))
        return 0
    _require_db(args.db)
    if args.command == "incident":
        return _incident(args)
    con = open_reader(args.db)
    if args.command in ACCOUNTABILITY_COMMANDS:
        return run_accountability(con, args, _emit)
    if args.command == "report":
        return _report(con, args)
    if args.command == "kpi":
        from .kpi import kpi
        result = kpi(con, _scope(args), args.as_of, args.start, args.end)
        text = "\n".join(f"{m['name']}: {m['value']}（同比 {m['yoy']}，目标 {m['target']}，达标 {m['met']}）"
                         for m in result["metrics"].values())
    else:
        from .kpi import rank
        result = rank(con, _scope(args), args.as_of, args.start, args.end)
        text = "\n".join(f"{r['rank']:>3} {r['township'] or ''}{r['village'] or ''} {r['score']} {r['grade']}"
                         for r in result)
    _emit(result, args.json, text)
    return 0
