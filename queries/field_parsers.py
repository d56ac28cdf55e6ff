"""The importer's cell readers: each field's parser built from the configuration in force, run
once per distinct value of a column (a ledger repeats its townships, categories and dates)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from . import normalize as nz

ENUM_FIELDS = ("channel", "level", "purpose", "handling", "resolution", "satisfaction")


def refuse_invisible(value) -> None:
    """For each_distinct: a value holding format or control characters counts as 'bad'."""
    if nz.has_invisible(value):
        raise nz.Unreadable(value)


def each_distinct(values: list, parse) -> tuple[list, list[bool]]:
    """parse() once per distinct value; (results, unreadable flags) aligned with values."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    results, bad = [], []
    for value in uniques:
        try:
            results.append(parse(value))
            bad.append(False)
        except nz.Unreadable:
            results.append(None)
            bad.append(True)
    none_result = parse(None)
    return ([results[c] if c >= 0 else none_result for c in codes],
            [bad[c] if c >= 0 else False for c in codes])


class FieldParsers:
    """The per-field readers, built from the active configuration."""

    def __init__(self, config: dict):
        enums = config["enums"]
        categories = config["categories"]
        self.enum_specs = {
            name: ([nz.folded(v) for v in enums[name]["values"]],
                   {nz.folded(k): v for k, v in enums[name].get("variants", {}).items()})
            for name in ENUM_FIELDS
        }
        self.classes = list(categories["lead"])
        self.aliases = {nz.folded(k): v for k, v in categories["aliases"].items()}
        self.other = categories["other"]
        self.max_persons = int(config["import"].get("max_persons", nz.DEFAULT_MAX_PERSONS))
        self.earliest_date = date.fromisoformat(str(config["import"].get("earliest_date", "1980-01-01")))
        self.answer_headers = [nz.header_key(h) for h in config["import"]["kept_headers"]["answer"]]

    def enum(self, name: str):
        values, variants = self.enum_specs[name]
        return lambda raw: nz.enum_value(raw, values, variants)

    def category(self, raw):
        return nz.category_class(raw, self.classes, self.aliases, self.other)
