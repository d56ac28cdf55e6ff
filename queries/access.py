"""Who may see what: roles, jurisdictions, the local user file, and the audit log.

The restriction lives here, in the data layer: pages pass every filter through `restrict`
before any query runs, so a tampered URL can narrow a view but never widen it.
"""
from __future__ import annotations

import getpass
import json
import os
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import argon2
import duckdb
import pandas as pd

from .config import load_config
from .db import cursor
from .periods import Scope

ROLES = {"leader": "县/镇领导", "cadre": "村(社区)干部", "admin": "信访办管理员"}
# Matches no place: what a filter becomes when nothing requested lies in the jurisdiction.
NO_MATCH = "\x00"
_HASHER = argon2.PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    townships: tuple[str, ...] = ()   # empty: the whole county
    villages: tuple[str, ...] = ()    # empty: every village of those townships; else villages of
                                      # the one township in `townships` (a name alone is ambiguous)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def jurisdiction(self) -> str:
        places = "、".join(self.villages or self.townships) or "全县"
        return f"{ROLES[self.role]} · {places}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# Who the command line acts as (it runs on the server, as an administrator would).
CLI_USER = User(f"cli:{_os_user()}", "命令行", "admin")
# With no sign-in configured the app runs as one local user (clearly labelled on screen).
LOCAL_USER = User("local", "本机用户（未启用登录）", "admin")


def _within(requested: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not allowed:
        return requested
    if not requested:
        return allowed
    return tuple(v for v in requested if v in allowed) or (NO_MATCH,)


def restrict(scope: Scope, user: User) -> Scope:
    """The scope narrowed to the user's jurisdiction. Village jurisdiction is (township, village)
    pairs: villages are only ever granted within one township (`_user` refuses anything else), so
    both filters together name exactly those pairs; 上庄村 of another township stays out."""
    if user.villages and len(user.townships) != 1:   # never built by _user; refuse, don't widen
        return replace(scope, townships=(NO_MATCH,), villages=(NO_MATCH,))
    return replace(scope, townships=_within(scope.townships, user.townships),
                   villages=_within(scope.villages, user.villages))


class SignInError(Exception):
    """Wrong user name or password (one message for both, on purpose)."""


def users_file() -> Path:
    return Path(load_config().get("auth", {}).get("users_file", "data/users.toml"))


def load_users(path: Path | None = None) -> dict[str, dict]:
    path = path or users_file()
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("users", {})


def _user(username: str, entry: dict) -> User:
    role = entry.get("role")
    if role not in ROLES:
        raise ValueError(f"用户 {username} 的角色“{role}”无效，应为 {'、'.join(ROLES)} 之一")
    if role == "cadre" and not entry.get("villages"):
        raise ValueError(f"村(社区)干部 {username} 必须指定所属村(社区)")
    if entry.get("villages") and len(entry.get("townships", ())) != 1:
        # Village names repeat across townships (上庄村 is in two): a village only means
        # something within its township.
        raise ValueError(f"用户 {username} 的村(社区)未限定所属乡镇，请为其指定唯一的乡镇，例如"
                         f"“xinfang user add {username} --role {role} --township 青石镇 --village 上庄村”"
                         "，或在用户文件中为其填写 townships = [\"青石镇\"]")
    return User(username, entry.get("name", username), role,
                tuple(entry.get("townships", ())), tuple(entry.get("villages", ())))


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("no such user")


def sign_in(username: str, password: str, path: Path | None = None) -> User:
    entry = load_users(path).get(username)
    try:
        # An unknown name costs one verification too: the time taken must not tell which
        # user names exist.
        _HASHER.verify(entry.get("password_hash", "") if entry else _dummy_hash(), password)
        if entry is None:
            raise argon2.exceptions.VerifyMismatchError
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        raise SignInError("用户名或密码错误") from None
    return _user(username, entry)


def user_for_identity(email: str, path: Path | None = None) -> User | None:
    """The user an OIDC identity maps to (by `email` in the user file); None: not admitted."""
    for username, entry in load_users(path).items():
        if entry.get("email") and entry["email"].lower() == email.lower():
            return _user(username, entry)
    return None


def user_entry(name: str, role: str, password: str, townships=(), villages=(), email=None,
               username: str | None = None) -> dict:
    """A user-file entry with a salted argon2id hash of the password (never the password)."""
    entry = {"name": name, "role": role, "townships": list(townships), "villages": list(villages)}
    if email:
        entry["email"] = email
    _user(username or name, entry)   # refuse a bad entry before the (slow) hash
    entry["password_hash"] = _HASHER.hash(password)
    return entry


_USERNAME = re.compile(r"[A-Za-z0-9_.-]+")


def add_user(username: str, entry: dict, path: Path | None = None) -> None:
    """Append a user to the user file (TOML; strings written as JSON strings, which TOML reads)."""
    path = path or users_file()
    if not _USERNAME.fullmatch(username):
        raise ValueError("用户名只能包含字母、数字、点、下划线和连字符")
    if username in load_users(path):
        raise ValueError(f"用户 {username} 已存在")
    lines = [f"\n[users.{username}]"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    # Password hashes: readable by the owner only (0600), also when the file already existed.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(descriptor, 0o600)
    with open(descriptor, "a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def record_audit(con: duckdb.DuckDBPyConnection, user: User, action: str, scope: Scope, reason: str) -> None:
    if not reason.strip():
        raise ValueError("请填写查看或导出个人信息的理由")
    cursor(con).execute("INSERT INTO audit_log (username, action, scope, reason) VALUES (?, ?, ?, ?)",
                         [user.username, action, json.dumps(scope.params(), ensure_ascii=False), reason.strip()])


def audit_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor(con).execute("SELECT * FROM audit_log ORDER BY recorded_at DESC").df()
