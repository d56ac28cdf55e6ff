"""The command line (CLI.md): `python -m queries` or `xinfang`.

Output with --json is one JSON document on stdout; messages go to stderr. Exit status: 0 on
success, 1 when the input was refused, 2 for wrong usage.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from .cli_accountability import ACCOUNTABILITY_COMMANDS, add_accountability_commands, run_accountability
from .db import DEFAULT_DB, DatabaseUnusable, explain, open_reader, writing
from .dimensions import FILTERS
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
    for dimension in FILTERS:
        parser.add_argument(f"--{dimension.id.replace('_', '-')}", dest=dimension.id, action="append", default=[],
                            help=dimension.cli_help)
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _scope(args) -> Scope:
    return Scope(**{d.scope_field: tuple(getattr(args, d.id, ())) for d in FILTERS})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xinfang", description="信访看板命令行：导入台账、计算指标与排名。")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("import", help="导入信访事项台账（xlsx/xls/csv）")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--as-of", type=_date, help="导入日（默认：今天），晚于此日登记的行被拒收")
    p.add_argument("--keep-demo", action="store_true", help="数据库中有演示数据时仍导入，与演示数据并存")
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
    p.add_argument("--by", help="登记人姓名（默认：操作系统用户名），与事件一起保存并记入审计日志")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("user", help="在本地用户文件中添加登录用户（密码以加盐哈希保存）")
    p.add_argument("action", choices=("add",))
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=("leader", "cadre", "admin"),
                   help="leader=县/镇领导，cadre=村(社区)干部，admin=信访办管理员")
    p.add_argument("--name", help="显示名")
    p.add_argument("--township", action="append", default=[], help="所辖乡镇，可重复；不填为全县")
    p.add_argument("--village", action="append", default=[], help="所属村(社区)，村干部必填；须同时用 --township 指定其所属乡镇（村名可能在不同乡镇重复）")
    p.add_argument("--email", help="OIDC 登录时对应的邮箱")
    p.add_argument("--users-file", type=Path, help="用户文件（默认：配置 auth.users_file）")

    add_accountability_commands(commands, _scope_options, _date)

    p = commands.add_parser("topics", help="研判：热点诉求、新出现的问题、诉求群体")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--top", type=int, default=20, help="列出前 N 个诉求词（默认 20）")
    _scope_options(p)

    p = commands.add_parser("similar", help="研判：与某件信访事项最相似的早先来访及其办理结果")
    p.add_argument("case_id", help="信访件编号")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--top", type=int, default=10, help="列出前 N 件（默认 10）")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = commands.add_parser("watch", help="预警名单：按规则计分的重点关注人员（已脱敏）")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--before-event", help="重大活动保障期名称（配置 [[events]]）：列出活动前需稳控人员")
    p.add_argument("--top", type=int, help="最多列出人数（默认：配置 watch.top）")
    _scope_options(p)

    p = commands.add_parser("paths", help="越级路径：层级流向与期间越级人员的信访链条（已脱敏）")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    _scope_options(p)

    p = commands.add_parser("demo", help="生成演示数据库")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--remove", action="store_true", help="删除演示数据（演示案件及其导入记录），保留其他数据")
    p.add_argument("--if-missing", action="store_true",
                   help="数据库已存在时不做任何事（安装后、首次启动看板前生成演示数据）")
    p.add_argument("--json", action="store_true")
    return parser


def _emit(document, as_json: bool, text: str) -> None:
    if as_json:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)


def _import_text(report: dict) -> str:
    from .metrics.formatting import accounting_text, kind_label  # pandas: not for kpi's cold start
    lines = []
    for f in report["files"]:
        if f["refused"]:
            lines.append(f"{f['file']}：拒收整个文件——{f['refused']}")
            continue
        lines.append(f"{f['file']}（{kind_label(f)}）：{accounting_text(f)}；警告 {f['warnings']} 条")
        if f["columns_unused"]:
            lines.append(f"  未使用的列：{'、'.join(f['columns_unused'])}")
        if f.get("columns_kept"):
            lines.append(f"  其中另存供研判（相似来访显示其处理意见）：{'、'.join(f['columns_kept'])}")
    lines.append(f"库中共有信访事项 {report['cases_total']} 件。")
    return "\n".join(lines)


def _holds_demo(path: Path) -> bool:
    from .demo.database import has_demo
    if not path.exists():
        return False
    con = open_reader(path)
    try:
        return has_demo(con)
    finally:
        con.close()


def _require_db(path: Path) -> None:
    if not path.exists():
        print(f"数据库不存在：{path}。请先导入数据（xinfang import …）或生成演示数据（xinfang demo）。",
              file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def _incident(args) -> int:
    from .access import CLI_USER, User
    from .ingest.incidents import register_incident
    from .metrics.analysis import all_incidents
    if args.action == "add":
        if not (args.kind and args.date and args.description):
            print("登记事件需要 --kind、--date 和 --description。", file=sys.stderr)
            return 2
        # Who entered it: the operating-system user, or the named person working at it.
        user = User(f"{args.by.strip()}（{CLI_USER.username}）", args.by.strip(), "admin") if (args.by or "").strip() \
            else CLI_USER
        with writing(args.db) as con:
            incident_id = register_incident(con, user, args.kind, args.date, args.description, args.township,
                                            args.village)
        _emit({"incident_id": incident_id}, args.json, f"已登记事件 #{incident_id}")
        return 0
    frame = all_incidents(open_reader(args.db))
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    _emit(records, args.json, frame.to_string(index=False) if len(frame) else "（无事件）")
    return 0


def _report(con, args) -> int:
    from .access import CLI_USER, record_audit
    from .outputs.meeting_files import write_report
    from .outputs.report import ReportRequest
    request = ReportRequest(_scope(args), args.as_of, args.start, args.end)
    if args.unmasked and args.format != "xlsx":
        print("只有 xlsx 清单含个人信息；幻灯片和通报从不含个人信息，无需 --unmasked。", file=sys.stderr)
        return 2
    if args.unmasked and not (args.reason or "").strip():
        print("导出未脱敏文件须用 --reason 说明理由（记入审计日志）。", file=sys.stderr)
        return 2
    if not args.unmasked:
        write_report(con, args.format, args.out, request)
        _emit({"out": str(args.out), "format": args.format}, args.json, f"已生成 {args.out}")
        return 0
    # Unmasked: never a file without its audit row, never an unaudited file left behind. An empty
    # placeholder proves the folder writable, the audit row is written, then the file is filled
    # and renamed into place; any failure removes the placeholder.
    descriptor, name = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.stem}.", suffix=".xlsx")
    os.close(descriptor)   # mkstemp: readable by the owner only until it is renamed
    partial = Path(name)
    try:
        with writing(args.db) as writer:
            record_audit(writer, CLI_USER, f"导出未脱敏{args.format}：{args.out.name}", request.scope, args.reason)
        write_report(con, args.format, partial, request, masked=False)
        os.replace(partial, args.out)
    finally:
        partial.unlink(missing_ok=True)
    _emit({"out": str(args.out), "format": args.format}, args.json, f"已生成 {args.out}")
    return 0


def _research(con, args) -> int:
    from .research.paths import paths
    from .research.watch import reasons_text, watch_list
    if args.command == "paths":
        result = paths(con, _scope(args), args.as_of, args.start, args.end)
        text = "\n".join([f"{f['from']}→{f['to']}：{f['persons']}人" for f in result["flows"]]
                         + [f"{p['person']}：" + " → ".join(f"{d} {level}" for d, level in p["chain"])
                            for p in result["escalated"]])
        _emit(result, args.json, text or "（本期没有层级变化）")
        return 0
    if args.top is not None and args.top < 1:
        print("--top 应为正整数。", file=sys.stderr)
        return 2
    try:
        result = watch_list(con, _scope(args), args.as_of, args.before_event, args.top)
    except ValueError as exc:  # an event name not in the configuration
        print(str(exc), file=sys.stderr)
        return 2
    text = "\n".join(f"{r['score']:>3} {r['person']} {r['township'] or ''}{r['village'] or ''}："
                     f"{reasons_text(r['reasons'])}" for r in result)
    _emit(result, args.json, text or "（名单为空）")
    return 0


def _add_user(args) -> int:
    import getpass

    from .access import add_user, user_entry
    password = getpass.getpass("密码：") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("密码至少 8 位。", file=sys.stderr)
        return EXIT_REFUSED
    try:
        entry = user_entry(args.name or args.username, args.role, password, args.township, args.village, args.email,
                           username=args.username)
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
            return _explained(exc, args)
        print(f"数据库 {args.db} 正被另一个程序以写方式直接打开，请关闭该程序后再运行命令。", file=sys.stderr)
        return EXIT_REFUSED
    except (DatabaseUnusable, OSError, duckdb.Error) as exc:
        return _explained(exc, args)


def _explained(exc: Exception, args) -> int:
    """A damaged database, a read-only directory or a full disk: one sentence, exit 1."""
    message = explain(exc, getattr(args, "db", None))
    if message is None:
        raise exc
    print(message, file=sys.stderr)
    return EXIT_REFUSED


def _run(args) -> int:
    if args.command == "import":
        from .ingest.import_run import import_prepared
        from .ingest.importer import prepare_file
        missing = [str(f) for f in args.files if not f.is_file()]
        if missing:
            print(f"找不到文件：{'、'.join(missing)}", file=sys.stderr)
            return EXIT_REFUSED
        if not args.keep_demo and _holds_demo(args.db):
            print("数据库中有演示数据（虚构的东安县案件）。请先运行 python -m queries demo --remove 删除演示数据，"
                  "再导入本单位的台账；如确要与演示数据并存，加 --keep-demo。", file=sys.stderr)
            return EXIT_REFUSED
        prepared = [prepare_file(f, args.as_of) for f in args.files]   # a refused file never rewrites the database
        report = import_prepared(args.db, prepared, lambda: writing(args.db))
        _emit(report, args.json, _import_text(report))
        return EXIT_REFUSED if any(f["refused"] for f in report["files"]) else 0
    if args.command == "user":
        return _add_user(args)
    if args.command == "demo" and args.remove:
        from .demo.database import remove_demo
        _require_db(args.db)
        with writing(args.db) as con:
            removed = remove_demo(con)
        _emit({"removed": removed}, args.json, f"已删除演示数据 {removed} 件及其导入记录。")
        return 0
    if args.command == "demo" and args.if_missing and args.db.exists():
        # Quick start runs this before every `streamlit run`: an existing database (the demo, or
        # the office's own data after `demo --remove`) is left as it is.
        _emit({"skipped": str(args.db)}, args.json, f"数据库已存在，未生成演示数据：{args.db}")
        return 0
    if args.command == "demo":
        from .demo.database import build_demo
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
    if args.command in ("topics", "similar"):
        from .cli_research import run
        return run(args, _scope(args) if args.command == "topics" else Scope(), _emit)
    con = open_reader(args.db)
    if args.command in ACCOUNTABILITY_COMMANDS:
        return run_accountability(con, args, _emit)
    if args.command == "report":
        return _report(con, args)
    if args.command in ("watch", "paths"):
        return _research(con, args)
    if args.command == "kpi":
        from .metrics.kpi import kpi
        result = kpi(con, _scope(args), args.as_of, args.start, args.end)
        text = "\n".join(f"{f.metric.name}: {f.value}（同比 {f.yoy}，目标 {f.metric.target}，达标 {f.met}）"
                         for f in result.figures.values())
        result = result.to_json()
    else:
        from .metrics.kpi import rank
        result = rank(con, _scope(args), args.as_of, args.start, args.end)
        text = "\n".join(f"{r['rank']:>3} {r['township'] or ''}{r['village'] or ''} {r['score']} {r['grade']}"
                         for r in result)
    _emit(result, args.json, text)
    return 0
