"""Terms of each case's 信访事由, computed once at import into `case_terms`.

The segmenter is rjieba (jieba-rs): the same dictionary and output as jieba on our texts, about
ten times faster (benchmarks/bench_topics.py). Its dictionary gets the configured 信访 terms, the
groups' words and the database's own townships, villages and units, so 柳河镇 or 拖欠工程款 is
one token. A term is a token of two or more Chinese characters that is not a stop word.

`refresh_terms(cur, batch)` is the import's hook: it replaces the terms and groups of the cases
of one import batch (an upserted case gets the new batch, so a re-import replaces its terms),
or of every case when the [topics] configuration or this code's version changed since the
terms were computed. Document frequencies (`term_df`) are recounted after each refresh.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import rjieba

from ..config import load_config
from ..db import sql

VERSION = "3"   # bump when the segmentation rule changes: every case's terms are recomputed
USER_WORD_FREQ = 1_000_000   # high enough that a user word always wins over its parts
_CHINESE = re.compile(r"[\u4e00-\u9fff]{2,}")
SIGNATURE_KEY = "terms_signature"
SCOPE_COLUMNS = ("township", "village", "category", "channel")   # copied into case_terms


def topics_config() -> dict:
    return load_config()["topics"]


def signature(config: dict | None = None) -> str:
    config = config or topics_config()
    text = VERSION + json.dumps(config, sort_keys=True, ensure_ascii=False) + sql("research/refresh_groups")
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=2)
def segmenter(words: tuple[str, ...]) -> rjieba.Jieba:
    """A segmenter with its built-in dictionary plus `words` (one per import: ~0.2 s to build)."""
    jieba = rjieba.Jieba()
    for word in words:
        jieba.add_word(word, USER_WORD_FREQ, None)
    return jieba


class Terms:
    """Cuts texts into terms with a given dictionary and stop list."""

    def __init__(self, words: list[str], stop_words: list[str]):
        self.jieba = segmenter(tuple(sorted(set(words))))
        self.stop = frozenset(stop_words)
        self._keep: dict[str, bool] = {}

    def keep(self, token: str) -> bool:
        known = self._keep.get(token)
        if known is None:
            known = self._keep[token] = bool(_CHINESE.fullmatch(token)) and token not in self.stop
        return known

    def counts(self, text: str) -> Counter:
        """term -> how often it occurs in the text."""
        return Counter(t for t in self.jieba.cut(text, False) if self.keep(t))


def dictionary_words(cur: duckdb.DuckDBPyConnection, config: dict) -> list[str]:
    """The configured terms and group words, and the database's places and units."""
    places = [row[0] for row in cur.execute(sql("research/place_words")).fetchall()]
    group_words = [w for words in config.get("groups", {}).values() for w in words]
    return [*config.get("terms", []), *group_words, *places]


def terms_for(cur: duckdb.DuckDBPyConnection, config: dict | None = None) -> Terms:
    config = config or topics_config()
    return Terms(dictionary_words(cur, config), config.get("stop_words", []))


def term_rows(terms: Terms, cases: pd.DataFrame) -> pa.Table:
    """case_terms rows for `cases` (case_id, registered_on, the scope columns, summary): each
    distinct text is cut once and its terms repeated for every case that carries it."""
    codes, texts = pd.factorize(cases["summary"], use_na_sentinel=True)
    flat_terms: list[str] = []
    flat_tf: list[int] = []
    sizes = np.zeros(len(texts), dtype=np.int64)
    lengths = np.zeros(len(texts), dtype=np.int32)
    for index, text in enumerate(texts):
        counts = terms.counts(text)
        flat_terms.extend(counts)
        flat_tf.extend(counts.values())
        sizes[index] = len(counts)
        lengths[index] = sum(counts.values())
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    rows = np.flatnonzero(codes >= 0)
    per_row = sizes[codes[rows]]
    case_index = np.repeat(rows, per_row)
    # position of each output row inside its text's block of terms
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    term_index = np.repeat(offsets[codes[rows]], per_row) + within
    term_array = pa.array(flat_terms, pa.string())
    columns = {name: pa.array(cases[name].to_numpy(dtype=object)[case_index], pa.string())
               for name in ("case_id", *SCOPE_COLUMNS)}
    return pa.table({
        "case_id": columns["case_id"],
        "registered_on": pa.array(cases["registered_on"].to_numpy()[case_index], pa.date32()),
        **{name: columns[name] for name in SCOPE_COLUMNS},
        "term": term_array.take(pa.array(term_index, pa.int64())),
        "tf": pa.array(np.asarray(flat_tf, dtype=np.int32)[term_index] if flat_tf else [], pa.int32()),
        "doc_len": pa.array(lengths[codes[case_index]], pa.int32()),
    })


def _stored_signature(cur: duckdb.DuckDBPyConnection) -> str | None:
    row = cur.execute("SELECT value FROM meta WHERE key = ?", [SIGNATURE_KEY]).fetchone()
    return row[0] if row else None


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """Were the stored terms computed with this configuration and version?"""
    try:
        return _stored_signature(cur) == signature()
    except duckdb.CatalogException:
        return False


def refresh_terms(cur: duckdb.DuckDBPyConnection, batch: str | None = None) -> int:
    """Recompute the terms and groups of the cases of `batch` (every case when `batch` is None or
    the configuration changed); returns how many cases were segmented. Runs on the caller's
    cursor, inside its transaction (a new cursor would not see the uncommitted import)."""
    config = topics_config()
    if batch is not None and _stored_signature(cur) != signature(config):
        batch = None
    cases = cur.execute(sql("research/batch_cases"), {"batch": batch}).df()
    cur.execute(sql("research/delete_terms"), {"batch": batch})
    rows = term_rows(terms_for(cur, config), cases)
    cur.register("new_terms", rows)
    try:
        cur.execute("INSERT INTO case_terms BY NAME SELECT * FROM new_terms")
    finally:
        cur.unregister("new_terms")
    groups = pa.table({
        "grp": pa.array([g for g, words in config.get("groups", {}).items() for _ in words], pa.string()),
        "word": pa.array([w for words in config.get("groups", {}).values() for w in words], pa.string()),
    })
    cur.register("group_words", groups)
    try:
        cur.execute(sql("research/delete_groups"), {"batch": batch})
        cur.execute(sql("research/refresh_groups"), {"batch": batch})
    finally:
        cur.unregister("group_words")
    cur.execute(sql("research/term_df"))
    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SIGNATURE_KEY, signature(config)])
    return len(cases)


def ensure_current(path) -> None:
    """Bring a database's terms up to date (after an upgrade or a [topics] change) before
    reading them: one writer pass, like db.open_reader does for the schema."""
    from ..db import open_reader, writing
    con = open_reader(path)
    try:
        current = is_current(con)
    finally:
        con.close()
    if not current:
        with writing(path) as writer:
            refresh_terms(writer)
