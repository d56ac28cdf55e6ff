"""The importer's cell readers: each field's parser built from the configuration in force, run
once per distinct value of a column (a ledger repeats its townships, categories and dates)."""
from __future__ import annotations

from datetime import date

from .. import normalize as nz

ENUM_FIELDS = ("channel", "level", "purpose", "handling", "resolution", "satisfaction")


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
