"""Synthetic people for the demo and the benchmarks (benchmarks/generate.py): names, well-formed
ID numbers (with their check digit) and phone numbers. None belongs to anyone."""
from __future__ import annotations

import operator
import random
from datetime import date, timedelta

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶"
            "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = ("建国志强秀英桂兰玉明华海军红梅丽娟春生冬德福文斌永淑珍雪金凤庆卫东少平新民伟杰敏"
               "静婷涛磊洋勇艳芳霞燕丹桃香莲菊松柏林义仁忠贵荣根发光辉")
AREA_CODES = ("431122",) * 17 + ("431102", "431103", "431121")  # mostly 东安县, some neighbours
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "157", "158", "159", "173", "177", "180", "181", "182", "183",
                   "185", "186", "187", "188", "189", "191", "199")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def id_check_digit(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a 17-digit ID body."""
    return "10X98765432"[sum(map(operator.mul, map(int, body), _ID_WEIGHTS)) % 11]


def id_number(rng: random.Random) -> str:
    """A well-formed 18-digit ID number, or (for some born before 1960) an old 15-digit one."""
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(62 * 365))
    area, serial = rng.choice(AREA_CODES), rng.randrange(1, 1000)
    if birth.year < 1960 and rng.random() < 0.25:
        return f"{area}{birth:%y%m%d}{serial:03d}"
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + id_check_digit(body)


def phone_number(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return f"0746-{rng.randrange(2000000, 8000000)}"  # a landline in 永州
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
