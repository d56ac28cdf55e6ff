"""Configuration: defaults shipped in the package, overridden by an office's own TOML file.

The user file is found at $XINFANG_CONFIG, else `xinfang.toml` in the working directory.
Tables are merged key by key, so an override names only what it changes.
"""
from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def user_config_path() -> Path | None:
    env = os.environ.get("XINFANG_CONFIG")
    if env:
        return Path(env)
    local = Path("xinfang.toml")
    return local if local.exists() else None


@cache
def _load(user_path: str | None) -> dict[str, Any]:
    config = tomllib.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))
    if user_path:
        config = _merge(config, tomllib.loads(Path(user_path).read_text(encoding="utf-8")))
    return config


def load_config() -> dict[str, Any]:
    """The active configuration (cached per user file)."""
    path = user_config_path()
    return _load(str(path) if path else None)
