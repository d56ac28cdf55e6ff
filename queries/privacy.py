"""Masking personal data (names, ID numbers, phones): on by default everywhere."""
from __future__ import annotations

import pandas as pd


def mask_name(name: str | None) -> str | None:
    """王小明 -> 王**: the family name stays, the rest is starred."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_idno(idno: str | None) -> str | None:
    """4310…1234: the first four and last four characters stay."""
    if not idno:
        return idno
    if len(idno) <= 8:
        return "*" * len(idno)
    return idno[:4] + "*" * (len(idno) - 8) + idno[-4:]


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and last four digits stay."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_key(key: str | None) -> str | None:
    """A petitioner key is an ID number or 姓名|乡镇|村: mask the personal part."""
    if not key:
        return key
    if "|" in key:
        name, _, place = key.partition("|")
        return f"{mask_name(name)}|{place}"
    return mask_idno(key)


_MASKS = {"petitioner_name": mask_name, "petitioner_idno": mask_idno, "phone": mask_phone,
          "petitioner_key": mask_key}
PERSONAL_COLUMNS = tuple(_MASKS)   # what `mask_frame` masks


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every personal column masked."""
    masked = frame.copy()
    for column, mask in _MASKS.items():
        if column in masked:
            masked[column] = masked[column].map(lambda v: mask(v) if isinstance(v, str) else v)
    return masked
