"""研判·诉求 at scale: the segmenter, term extraction at import, `topics` and `similar`.

    python benchmarks/bench_topics.py [--rows N] [--seed S] [--distinct]

1. jieba against rjieba on the demo's 信访事由 (both with the same user dictionary): texts per
   second, and how often they cut a text the same way (jieba only if it is installed; it is not
   a dependency).
2. Term extraction at import: N cases (default 1,000,000; benchmarks/generate.py's cases with
   varied 信访事由 from queries/demo/texts.py, one sentence drawn per case, so most texts are
   distinct as in real exports) written into a DuckDB file, then `refresh_terms` over all of
   them, as an import of N new cases does. Reported as cases per second against the goal of
   50,000/s and against the segmenter's own speed on the same texts (cut only: the floor).
3. `topics` (本年, no filter, and one township) and `similar` (five cases) on that database:
   the first call, then the median of 5 warm calls. Goal: warm <= 0.5 s each.

Terms are stored per distinct text, so the figures depend on how often texts repeat: --distinct
appends the case's number to every text (not a term: the same terms), the worst case where no
two cases share a text.

Nothing is asserted about time; the figures are printed.
"""
from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

GOAL_RATE, GOAL_WARM = 50_000, 0.5
WARM_RUNS = 5


def _timed(call, runs: int = WARM_RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def compare_segmenters() -> None:
    from queries.demo import county as demo
    from queries.config import load_config
    from queries.ingest.terms import USER_WORD_FREQ, Terms
    texts = [case.summary for case in demo.simulate()]
    config = load_config()["topics"]
    places = [v for t, villages in demo.VILLAGES.items() for v in (t, *(name for name, _, _ in villages))]
    words = [*config["terms"], *(w for ws in config["groups"].values() for w in ws), *places]
    rust = Terms(words, config["stop_words"]).jieba
    started = time.perf_counter()
    rust_cuts = [rust.cut(t, False) for t in texts]
    rust_time = time.perf_counter() - started
    print(f"demo texts: {len(texts):,} ({len(set(texts)):,} distinct)")
    print(f"  rjieba: {len(texts) / rust_time:,.0f} texts/s")
    try:
        import jieba
    except ImportError:
        print("  jieba: not installed (pip install jieba to compare)")
        return
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    started = time.perf_counter()
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word, USER_WORD_FREQ)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    py_cuts = [tokenizer.lcut(t, HMM=False) for t in texts]
    py_time = time.perf_counter() - started
    same = sum(a == b for a, b in zip(rust_cuts, py_cuts))
    print(f"  jieba:  {len(texts) / py_time:,.0f} texts/s (dictionary load {loaded:.1f} s); "
          f"rjieba is {py_time / rust_time:.1f}x faster")
    print(f"  identical cuts: {same:,} of {len(texts):,} texts ({same / len(texts):.1%})")
    for a, b in zip(rust_cuts, py_cuts):
        if a != b:
            print(f"  first difference: rjieba {'/'.join(a)}\n                    jieba  {'/'.join(b)}")
            break


def varied_summaries(frame, seed: int) -> list[str]:
    """One demo sentence per case, for the case's category and place."""
    from queries.demo import county as demo, texts as demo_texts
    topics = {name: len(spec[2]) for name, spec in demo.CATEGORIES.items()}
    rng = random.Random(seed)
    texts = []
    for category, township, village, day in zip(frame["category"], frame["township"], frame["village"],
                                                frame["registered_on"]):
        category = category if category in topics else "其他"
        topic = rng.randrange(topics[category])
        texts.append(demo_texts.summary(rng.getrandbits(48), category, topic, township, village,
                                        f"{village}{rng.randint(1, 9)}组", day.date()))
    return texts


def build(path: Path, rows: int, seed: int, distinct: bool = False) -> list[str]:
    from bench_metrics import _cases_frame
    from queries.db import connect, refresh_facts
    started = time.perf_counter()
    frame = _cases_frame(rows, seed)
    frame["summary"] = varied_summaries(frame, seed)
    if distinct:
        frame["summary"] = [f"{text}（{number}）" for number, text in enumerate(frame["summary"])]
    generated = time.perf_counter()
    con = connect(path)
    con.register("generated", frame)
    con.execute("INSERT INTO cases BY NAME SELECT * FROM generated")
    con.unregister("generated")
    refresh_facts(con)
    con.execute("CHECKPOINT")
    con.close()
    texts = list(frame["summary"])
    print(f"database: {rows:,} cases ({len(set(texts)):,} distinct 信访事由) generated in "
          f"{generated - started:.1f} s, written with case_facts in {time.perf_counter() - generated:.1f} s")
    return texts


def extraction(path: Path, texts: list[str]) -> None:
    from queries.db import connect
    from queries.ingest.terms import refresh_terms, terms_for
    con = connect(path)
    cut = terms_for(con).jieba
    started = time.perf_counter()
    for text in dict.fromkeys(texts):   # the segmenter alone, each distinct text once (as refresh_terms does)
        cut.cut(text, False)
    floor = time.perf_counter() - started
    con.execute("BEGIN TRANSACTION")
    started = time.perf_counter()
    count = refresh_terms(con)   # every case, as an import of this many new cases
    elapsed = time.perf_counter() - started
    con.execute("COMMIT")
    stored = con.execute("SELECT (SELECT count(*) FROM case_terms), count(*), count(DISTINCT term) "
                         "FROM text_terms").fetchone()
    con.execute("CHECKPOINT")
    con.close()
    print(f"term extraction at import: {count:,} cases in {elapsed:.1f} s = {count / elapsed:,.0f} cases/s "
          f"(goal {GOAL_RATE:,}/s; rjieba alone on the distinct texts: {len(set(texts)) / floor:,.0f} texts/s, "
          f"{floor:.1f} s); {stored[0]:,} (case, term) pairs stored as {stored[1]:,} text_terms rows, "
          f"{stored[2]:,} distinct terms")


def queries(path: Path) -> None:
    from queries.db import open_reader
    from queries.periods import Scope
    from queries.research.similar import similar
    from queries.research.topics import topics
    con = open_reader(path)
    for label, scope in (("topics (本年, all)", Scope()), ("topics (本年, 青石镇)", Scope(townships=("青石镇",)))):
        started = time.perf_counter()
        result = topics(con, scope)
        first = time.perf_counter() - started
        warm, _ = _timed(lambda: topics(con, scope))
        print(f"{label}: first {first:.2f} s, warm {warm:.3f} s (goal <= {GOAL_WARM} s); "
              f"{len(result['emerging'])} emerging terms")
    ids = [row[0] for row in con.execute(
        "SELECT case_id FROM cases USING SAMPLE 5 ROWS (reservoir, 7) ORDER BY case_id").fetchall()]
    firsts, warms = [], []
    for case_id in ids:
        started = time.perf_counter()
        similar(con, case_id)
        firsts.append(time.perf_counter() - started)
        warms.append(_timed(lambda: similar(con, case_id))[0])
    print(f"similar (5 cases): first {statistics.median(firsts):.2f} s, warm median {statistics.median(warms):.3f} s, "
          f"worst {max(warms):.3f} s (goal <= {GOAL_WARM} s)")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distinct", action="store_true", help="no two cases share a text (the worst case)")
    args = parser.parse_args()
    compare_segmenters()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "topics.duckdb"
        texts = build(path, args.rows, args.seed, args.distinct)
        extraction(path, texts)
        queries(path)


if __name__ == "__main__":
    main()
