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
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..config import load_config
from ..db import sql

if TYPE_CHECKING:
    import rjieba

VERSION = "4"   # bump when the segmentation rule changes: every case's terms are recomputed
USER_WORD_FREQ = 1_000_000   # high enough that a user word always wins over its parts
_CHINESE = re.compile(r"[\u4e00-\u9fff]{2,}")
SIGNATURE_KEY = "terms_signature"


def topics_config() -> dict:
    return load_config()["topics"]


def signature(config: dict | None = None) -> str:
    config = config or topics_config()
    text = VERSION + json.dumps(config, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=2)
def segmenter(words: tuple[str, ...]) -> rjieba.Jieba:
    """A segmenter with its built-in dictionary plus `words` (one per import: ~0.2 s to build)."""
    import rjieba   # ~0.3 s to load: only imports segment, never a page's first draw
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

    def _decide(self, token: str) -> bool:
        keep = self._keep[token] = bool(_CHINESE.fullmatch(token)) and token not in self.stop
        return keep

    def counts(self, text: str) -> Counter:
        """term -> how often it occurs in the text."""
        known = self._keep
        kept = []
        for token in self.jieba.cut(text, False):
            keep = known.get(token)
            if keep or (keep is None and self._decide(token)):
                kept.append(token)
        return Counter(kept)


def dictionary_words(cur: duckdb.DuckDBPyConnection, config: dict) -> list[str]:
    """The configured terms and group words, and the database's places and units."""
    places = [row[0] for row in cur.execute(sql("research/place_words")).fetchall()]
    group_words = [w for words in config.get("groups", {}).values() for w in words]
    return [*config.get("terms", []), *group_words, *places]


def terms_for(cur: duckdb.DuckDBPyConnection, config: dict | None = None) -> Terms:
    config = config or topics_config()
    return Terms(dictionary_words(cur, config), config.get("stop_words", []))


def distinct_texts(cases: pa.Table) -> tuple[np.ndarray, list[str]]:
    """(for each case the index of its text in the list, -1 for none; the distinct texts)."""
    encoded = cases.column("summary").combine_chunks().dictionary_encode()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def _expand(codes: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-text blocks of rows repeated for each case carrying the text: (case position, index
    of the row in the flat per-text list) for every output row."""
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    rows = np.flatnonzero(codes >= 0)
    per_row = sizes[codes[rows]]
    case_index = np.repeat(rows, per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return case_index, np.repeat(offsets[codes[rows]], per_row) + within


def term_rows(terms: Terms, codes: np.ndarray, texts: list[str]) -> pa.Table:
    """One row per (case, term): the case's `position`, the term, its count `tf` and the text's
    `doc_len`. Each distinct text is cut once and its terms repeated for every case that carries it."""
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
    case_index, term_index = _expand(codes, sizes)
    return pa.table({
        "position": pa.array(case_index, pa.int64()),
        "term": pa.array(flat_terms, pa.string()).take(pa.array(term_index, pa.int64())),
        "tf": pa.array(np.asarray(flat_tf, dtype=np.int32)[term_index], pa.int32()),
        "doc_len": pa.array(lengths[codes[case_index]], pa.int32()),
    })


def group_rows(groups: dict[str, list[str]], codes: np.ndarray, texts: list[str]) -> pa.Table:
    """One row per (case, 诉求群体): a case is in a group when its text contains one of the
    group's words (a substring: 参战补贴 is 涉军 through 参战). Decided once per distinct text."""
    patterns = [(name, re.compile("|".join(map(re.escape, words)))) for name, words in groups.items() if words]
    found = [[name for name, pattern in patterns if pattern.search(text)] for text in texts]
    case_index, group_index = _expand(codes, np.array([len(f) for f in found], dtype=np.int64))
    return pa.table({"position": pa.array(case_index, pa.int64()),
                     "grp": pa.array([g for f in found for g in f], pa.string()).take(
                         pa.array(group_index, pa.int64()))})


def _stored_signature(cur: duckdb.DuckDBPyConnection) -> str | None:
    rows = cur.execute("SELECT value FROM meta WHERE key = ?", [SIGNATURE_KEY]).fetchall()
    return rows[0][0] if rows else None


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
    cases = cur.sql(sql("research/batch_cases"), params={"batch": batch}).to_arrow_table()
    codes, texts = distinct_texts(cases)
    cur.execute(sql("research/delete_terms"), {"batch": batch})
    cur.execute(sql("research/delete_groups"), {"batch": batch})
    cur.register("batch_cases", cases.append_column("position", pa.array(np.arange(cases.num_rows), pa.int64())))
    cur.register("new_terms", term_rows(terms_for(cur, config), codes, texts))
    cur.register("new_groups", group_rows(config.get("groups", {}), codes, texts))
    try:   # the case's columns are joined on in DuckDB (faster than an Arrow take of every string)
        cur.execute(sql("research/insert_terms"))
        cur.execute(sql("research/insert_groups"))
    finally:
        for name in ("new_terms", "new_groups", "batch_cases"):
            cur.unregister(name)
    cur.execute(sql("research/term_df"))
    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SIGNATURE_KEY, signature(config)])
    return cases.num_rows


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
