"""Terms of each case's 信访事由, computed once at import (term_texts, text_terms, case_texts).

The segmenter is rjieba (jieba-rs): the same dictionary and output as jieba on our texts, about
ten times faster (benchmarks/bench_topics.py). Its dictionary gets the configured 信访 terms, the
groups' words and the database's own townships, villages and units, so 柳河镇 or 拖欠工程款 is
one token. A term is a token of two or more Chinese characters that is not a stop word.

Terms are stored per distinct text, not per case: an export repeats the same 信访事由 many times
(1,000,000 generated cases carry ~95,000 distinct texts), so each text is cut once and its terms
stored once (term_texts, text_terms); a case only records its text's id with its date and scope
columns (case_texts). The view `case_terms` gives the old one-row-per-case-and-term shape.

`refresh_terms(cur, batch)` is the import's hook: it replaces the terms and groups of the cases
of one import batch (an upserted case gets the new batch, so a re-import replaces its terms),
or of every case when the [topics] configuration or this code's version changed since the
terms were computed. Texts no case carries any more are dropped, and document frequencies
(`term_df`) are recounted from the per-text terms after each refresh.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

from ..config import load_config
from ..db import sql

if TYPE_CHECKING:
    import rjieba

VERSION = "5"   # bump when the segmentation rule changes: every case's terms are recomputed
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
    import rjieba  # ~0.3 s to load: only imports segment, never a page's first draw
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

    def keeps(self, token: str) -> bool:
        """Is the token a term: two or more Chinese characters, not a stop word?"""
        keep = self._keep.get(token)
        if keep is None:
            keep = self._keep[token] = bool(_CHINESE.fullmatch(token)) and token not in self.stop
        return keep

    def counts(self, text: str) -> Counter:
        """term -> how often it occurs in the text."""
        known = self._keep
        kept = []
        for token in self.jieba.cut(text, False):
            keep = known.get(token)
            if keep or (keep is None and self.keeps(token)):
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


CHUNK = 20_000   # texts cut at a time: their tokens are held as Python strings until counted


def segment(terms: Terms, first_id: int, texts: list[str]) -> tuple[pa.Table, pa.Table]:
    """Cut each new distinct text once, numbered from `first_id`: (new_texts: text_id, summary,
    doc_len; new_terms: one row per (text, term) with its count `tf` and the text's `doc_len`).
    The same terms as `Terms.counts`, but counted with Arrow and numpy: a Python loop over every
    token cost twice the segmenter's own time."""
    parts = [_segment_chunk(terms, first_id + start, texts[start:start + CHUNK])
             for start in range(0, len(texts), CHUNK)]
    lengths = np.concatenate([length for length, _ in parts]) if parts else np.zeros(0, dtype=np.int32)
    new_texts = pa.table({"text_id": pa.array(np.arange(first_id, first_id + len(texts), dtype=np.int32)),
                          "summary": pa.array(texts, pa.string()), "doc_len": pa.array(lengths, pa.int32())})
    new_terms = pa.concat_tables([rows for _, rows in parts]) if parts else pa.table(
        {"text_id": pa.array([], pa.int32()), "term": pa.array([], pa.string()),
         "tf": pa.array([], pa.int32()), "doc_len": pa.array([], pa.int32())})
    return new_texts, new_terms


def _segment_chunk(terms: Terms, first_id: int, texts: list[str]) -> tuple[np.ndarray, pa.Table]:
    cuts = [terms.jieba.cut(text, False) for text in texts]
    sizes = np.fromiter(map(len, cuts), dtype=np.int64, count=len(cuts))
    tokens = pa.array(list(chain.from_iterable(cuts)), pa.string()).dictionary_encode()
    distinct = tokens.dictionary
    keep = np.fromiter(map(terms.keeps, distinct.to_pylist()), dtype=bool, count=len(distinct))
    codes = tokens.indices.to_numpy()
    text_index = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
    kept = keep[codes]
    pairs, tf = np.unique(text_index[kept] * len(distinct) + codes[kept], return_counts=True)
    text_of, term_of = pairs // max(len(distinct), 1), pairs % max(len(distinct), 1)
    lengths = np.bincount(text_of, weights=tf, minlength=len(texts)).astype(np.int32)
    return lengths, pa.table({"text_id": pa.array((first_id + text_of).astype(np.int32)),
                              "term": distinct.take(pa.array(term_of)),
                              "tf": pa.array(tf.astype(np.int32)),
                              "doc_len": pa.array(lengths[text_of])})


def group_rows(groups: dict[str, list[str]], text_ids: list[int], texts: list[str]) -> pa.Table:
    """One row per (text, 诉求群体): a text is in a group when it contains one of the group's
    words (a substring: 参战补贴 is 涉军 through 参战). One regular expression per group is
    faster here than Arrow's substring match word by word."""
    patterns = [(name, re.compile("|".join(map(re.escape, words)))) for name, words in groups.items() if words]
    found = [(text_id, name) for text_id, text in zip(text_ids, texts) for name, pattern in patterns
             if pattern.search(text)]
    return pa.table({"text_id": pa.array([f[0] for f in found], pa.int32()),
                     "grp": pa.array([f[1] for f in found], pa.string())})


def _stored_signature(cur: duckdb.DuckDBPyConnection) -> str | None:
    rows = cur.execute("SELECT value FROM meta WHERE key = ?", [SIGNATURE_KEY]).fetchall()
    return rows[0][0] if rows else None


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """Were the stored terms computed with this configuration and version?"""
    try:
        return _stored_signature(cur) == signature()
    except duckdb.CatalogException:
        return False


def _ensure_case_terms_view(cur: duckdb.DuckDBPyConnection) -> None:
    """`case_terms` (one row per case and term) was a table before terms were stored per
    distinct text; it is now a view over them (created here, not in schema.sql, because a
    view cannot replace an older file's table there)."""
    kind = cur.execute("SELECT table_type FROM information_schema.tables "
                       "WHERE table_name = 'case_terms' AND table_catalog = current_database()").fetchall()
    if kind and kind[0][0] == "VIEW":
        return
    if kind:
        cur.execute("DROP TABLE case_terms")
    cur.execute(sql("research/case_terms_view"))


def refresh_terms(cur: duckdb.DuckDBPyConnection, batch: str | None = None) -> int:
    """Recompute the terms and groups of the cases of `batch` (every case when `batch` is None or
    the configuration changed); returns how many cases that is. Each distinct 信访事由 is cut
    once, when first seen: a case only gets the id of its text (case_texts). Runs on the caller's
    cursor, inside its transaction (a new cursor would not see the uncommitted import)."""
    config = topics_config()
    if batch is not None and _stored_signature(cur) != signature(config):
        batch = None
    params = {"batch": batch}
    _ensure_case_terms_view(cur)
    cur.execute(sql("research/delete_case_texts"), params)
    cur.execute(sql("research/delete_groups"), params)
    cur.execute(sql("research/prune_texts"))   # texts no case carries any more (all, on a full refresh)
    cur.execute(sql("research/prune_text_terms"))
    found = cur.sql(sql("research/batch_texts"), params=params).to_arrow_table()
    known = found.column("text_id").to_pylist()
    texts = found.column("summary").to_pylist()
    new = [text for text, text_id in zip(texts, known) if text_id is None]
    first_id = cur.execute("SELECT coalesce(max(text_id), 0) + 1 FROM term_texts").fetchone()[0]
    new_texts, new_terms = segment(terms_for(cur, config), first_id, new)
    ids = iter(range(first_id, first_id + len(new)))
    text_ids = [text_id if text_id is not None else next(ids) for text_id in known]
    cur.register("new_texts", new_texts)
    cur.register("new_terms", new_terms)
    cur.register("new_groups", group_rows(config.get("groups", {}), text_ids, texts))
    try:
        cur.execute("INSERT INTO term_texts BY NAME SELECT * FROM new_texts")
        cur.execute("INSERT INTO text_terms BY NAME SELECT * FROM new_terms")
        cur.execute(sql("research/insert_case_texts"), params)
        cur.execute(sql("research/insert_groups"), params)
    finally:
        for name in ("new_texts", "new_terms", "new_groups"):
            cur.unregister(name)
    cur.execute(sql("research/term_df"))
    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SIGNATURE_KEY, signature(config)])
    return cur.execute(sql("research/batch_size"), params).fetchone()[0]


def forget_removed_cases(cur: duckdb.DuckDBPyConnection) -> None:
    """After cases were deleted: drop their texts, groups, answers and the texts no case carries
    any more, and recount the document frequencies."""
    for name in ("forget_case_texts", "forget_case_groups", "forget_case_answers", "prune_texts",
                 "prune_text_terms", "term_df"):
        cur.execute(sql(f"research/{name}"))


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
