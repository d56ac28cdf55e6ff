"""The `topics` and `similar` commands (queries/cli.py parses, this runs)."""
from __future__ import annotations

import sys

from .db import open_reader
from .ingest.terms import ensure_current
from .periods import Scope
from .research.similar import UnknownCase, similar
from .research.topics import topics

EXIT_REFUSED = 1


def _topics_text(result: dict) -> str:
    lines = [f"{result['from']} 至 {result['to']}（环比期 {result['prev_from']} 至 {result['prev_to']}）"]
    for r in result["terms"]:
        mark = f"  新出现 G²={r['g2']}" if r["emerging"] else ""
        lines.append(f"{r['term']:<8} {r['cases']:>6} 件 {r['share']:>7.1%}  环比期 {r['prev_cases']}"
                     f"  同比期 {r['yoy_cases']}{mark}")
    if result["emerging"]:
        lines.append("新出现的问题：" + "、".join(f"{r['term']}（{r['cases']} 件）" for r in result["emerging"]))
    lines.append("诉求群体：" + "、".join(f"{g['group']} {g['cases']} 件" for g in result["groups"]))
    return "\n".join(lines)


def _similar_text(result: dict) -> str:
    case = result["case"]
    lines = [f"{case['case_id']} {case['registered_on']} {case['summary'] or ''}"]
    for r in result["similar"]:
        flag = "  ⚠ 结果相反" if r["contradicts"] else ""
        lines.append(f"{r['score']:.2f} {r['case_id']} {r['registered_on']} {r['resolution'] or '—'}"
                     f" {r['note']}{flag}")
    return "\n".join(lines)


def run(args, scope: Scope, emit) -> int:
    ensure_current(args.db)
    con = open_reader(args.db)
    try:
        if args.command == "topics":
            result = topics(con, scope, args.as_of, args.start, args.end, top=args.top)
            emit(result, args.json, _topics_text(result))
            return 0
        try:
            result = similar(con, args.case_id, top=args.top)
        except UnknownCase as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_REFUSED
        # the shape: a list of the similar cases
        emit(result["similar"], args.json, _similar_text(result))
        return 0
    finally:
        con.close()
