"""Checks on facts, expressed as pandera schemas, and the parsing they rely on.

Cells arrive as typed by the user ("92.5", "92.5%", "是", "2024年6月30日", a number from
Excel). Each check carries the Chinese text of what was expected, which becomes the
``expected`` column of the problem table; pandera collects every failure at once
(``lazy=True``), and ``run`` turns its failure cases into ``Problem`` rows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.pandas as pa

from ecoscore.errors import Problem
from ecoscore.facts.files import Ambiguous, as_text, quote
from ecoscore.facts.workbook import Field, bounds, norm, range_text
from ecoscore.rules.values import FALSE_WORDS, TRUE_WORDS, parse_bool  # noqa: F401  (re-exported)
from ecoscore.spec.domains import domain

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
#: A number with thousands separators: every group after a comma (or space) has three digits.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:(,)\d{3}(?:\1\d{3})*|( )\d{3}(?:\2\d{3})*)(\.\d+)?%?$")
_COMMA_NUMBER = re.compile(r"^[+-]?[\d.,\s]*\d,\d[\d.,\s]*%?$")
#: Digits parted by spaces ("12 34", "1 2345"): a separator like a comma, under the same rule.
_SPACED_NUMBER = re.compile(r"^[+-]?[\d.]*\d\s+\d[\d.\s]*%?$")
#: A plain number, and one with an exponent: one way to match each digit (``\d+(\.\d*)?``, not
#: ``\d+\.?\d*``, whose two runs of digits backtrack quadratically on a long failing text).
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_EXPONENT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+")

NOT_NUMBER = "数字(不含文字和单位)"
NOT_INTEGER = "整数"
FRACTION = "百分数按0-100填写(如92.5表示92.5%),不应填为小数比例"
BOOL = "是 或 否"
DATE = "日期,如 2024-06-30"
COMMA = "数字中的逗号或空格只作千位分隔符,每组恰好三位(如 1,234 或 1 234);小数请用小数点(如 10.8)"
AMBIGUOUS = "数字不含逗号(分号分隔的CSV中无法判断逗号是小数点还是千位分隔符),请写作 10.8 或 1234"
#: Longer than any number typed (digits, separators, sign, exponent): text beyond it is refused
#: as no number before any pattern is tried on it (a 40,000-digit cell once took 40 s).
MAX_NUMBER_CHARS = 64
#: Larger than any figure a unit reports (1e308 would overflow the arithmetic).
MAGNITUDE = 1e12
TOO_BIG = "合理数值(绝对值不超过1万亿)"
#: How a domain is named in a message ("比例(百分数)0-100").
DOMAIN_WORDS = {"rate": "百分数", "share": "百分数", "count": "个数", "concentration": "浓度",
                "quantity": "数量", "money": "金额", "intensity": "强度", "index": "指数", "days": "天数"}
#: A percentage typed as 1 where 1% is far below anything plausible (a warning: 1% can be real).
ONE_AS_WHOLE = "百分数按0-100填写:若表示100%,应填100(1读作1%,远低于该指标的常见范围)"
#: How far above 1 the low end of a percentage's plausible range must be for 1 to be warned of.
ONE_FAR_BELOW = 10.0
#: The fix named with a figure beyond its plausible range (``Domain.plausible``).
IMPLAUSIBLE_FIX = "请核对单位、小数点位置和所填的列"


def parse_number(v: Any, percent: bool = False) -> float | None:
    """Return a cell as a number, or None if it is not one ("92.5", "92.5%", "1,234", "９２").

    The rule for separators: a comma (or a space, no-break and narrow spaces included) inside a
    number is a thousands separator only where every group after it has exactly three digits
    ("1,234", "1,234.5", "12 345", "4\u00a0058");
    any other comma ("10,8", "1,5", "1,2345") is no number — it may be a decimal comma, and
    a guess could multiply the figure by ten (``bad_comma`` names it). In a semicolon CSV a
    comma is never read at all (``files.Ambiguous``).
    """
    if isinstance(v, bool) or v is None or isinstance(v, (dt.date, dt.datetime)):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, Ambiguous):
        return None
    s = _short(str(v))
    if s is None:
        return None
    s = re.sub(r"\s+%$", "%", s)  # "92.5 %"
    if "," in s or " " in s:
        if not _GROUPED.match(s):
            return None
        s = s.replace(",", "").replace(" ", "")
    if percent and s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.fullmatch(s):
        return None
    x = float(s)
    return x if math.isfinite(x) else None  # "1e999" is no figure anyone reported


def _overflows(v: Any) -> bool:
    """Return whether a cell is a number too large to hold ("1e999", an infinite float)."""
    if isinstance(v, float):
        return not math.isfinite(v) and v == v
    s = _short(v) if isinstance(v, str) else None
    if s is None:
        return False
    s = s.rstrip("%")
    return bool(_EXPONENT.fullmatch(s)) and not math.isfinite(float(s))


def bad_comma(v: Any) -> bool:
    """Return whether a cell is a number whose comma (or space) is no thousands separator
    ("10,8", "12 34").
    """
    s = _short(v) if isinstance(v, str) else None
    return s is not None and bool(_COMMA_NUMBER.match(s) or _SPACED_NUMBER.match(s)) and not _GROUPED.match(s)


def _short(text: str) -> str | None:
    """Return a cell's text normalised (NFKC, stripped), or None when it is too long to be a
    number (``MAX_NUMBER_CHARS``; an essay is not even normalised).
    """
    if len(text) > 4 * MAX_NUMBER_CHARS:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    return s if len(s) <= MAX_NUMBER_CHARS else None


def parse_date(v: Any) -> dt.date | None:
    """Return a date cell as a date ("2024-06-30", "2024/6/30", "2024年6月30日", an Excel date)."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str):
        return None
    s = unicodedata.normalize("NFKC", v).strip()
    m = _DATE.match(s) or _DATE8.match(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_choice(v: Any, choices: tuple[str, ...]) -> str | None:
    """Return the choice a cell names (ignoring width and spaces), or None."""
    n = norm(v)
    for c in choices:
        if norm(c) == n:
            return c
    return None


def parse_year(v: Any) -> int | None:
    """Return a year cell ("2024", 2024, "2024年") as an int, or None."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
        return int(v)
    text = unicodedata.normalize("NFKC", str(v)).strip().translate(_CN_DIGITS)  # "二〇二〇年" as typed
    m = re.fullmatch(r"(\d{4})\s*年?(度)?", text)
    return int(m.group(1)) if m else None


def takes_percent(fact) -> bool:
    """Return whether a fact's figure may be typed with a per-cent sign ("92.5%"): a
    percentage, or any figure measured in % (a change, a ratio).
    """
    return fact.kind == "percent" or unicodedata.normalize("NFKC", fact.unit or "").strip() == "%"


def convert(v: Any, f: Field) -> Any:
    """Return a cell converted to the value the engine reads for ``f`` (None if blank)."""
    if v is None:
        return None
    k = f.fact.kind
    if k in ("number", "percent", "count", "days", "points"):
        return parse_number(v, takes_percent(f.fact))
    if k == "bool":
        return parse_bool(v)
    if k == "choice":
        return parse_choice(v, f.fact.choices)
    if k == "date":
        return parse_date(v)
    return as_text(v)


def suggest(name: str, known: list[str], cutoff: float = 0.4) -> str | None:
    """Return the known name closest to ``name`` ("丽水市发改委" → "市发改委"), or None."""
    n = norm(name)
    inside = [k for k in known if norm(k) and (norm(k) in n or n in norm(k))]
    if inside:
        return max(inside, key=lambda k: (len(k), -known.index(k)))
    close = difflib.get_close_matches(name, known, n=1, cutoff=cutoff)
    return close[0] if close else None


def _plausible_low(f: Field) -> float:
    """Return the low end of a fact's sample hint (its plausible range), or 0."""
    if f.line is None:
        return 0.0
    hint = (f.line.sample or {}).get(f.key.rsplit(":", 1)[1])
    if isinstance(hint, list) and len(hint) >= 2 and all(isinstance(x, (int, float)) for x in hint[:2]):
        return float(min(hint[0], hint[1]))
    return 0.0


def _ok(fn: Callable[[Any], bool]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: s.map(lambda v: v is None or bool(fn(v)))


def fact_checks(f: Field, *, fractions: bool = False) -> list[pa.Check]:
    """Return the checks on one fact's cells.

    A percentage between 0 and 1 is taken for a fraction typed by mistake (0.925 for 92.5%)
    when ``fractions`` says every percentage of its sheet is within 0–1, or when the fact's
    plausible range (its sample hint) starts at 1% or more.
    """
    fs = f.fact
    checks: list[pa.Check] = []
    if fs.kind in ("number", "percent", "count", "days", "points"):
        pct = fs.kind == "percent"

        def num(v):
            return parse_number(v, takes_percent(fs))

        checks.append(pa.Check(_ok(lambda v: not isinstance(v, Ambiguous)), error=AMBIGUOUS))
        checks.append(pa.Check(_ok(lambda v: isinstance(v, Ambiguous) or not bad_comma(v)), error=COMMA))
        checks.append(pa.Check(_ok(lambda v: num(v) is not None or isinstance(v, Ambiguous) or bad_comma(v)
                                   or _overflows(v)), error=NOT_NUMBER))
        checks.append(pa.Check(_ok(lambda v: not _overflows(v) and (num(v) is None or abs(num(v)) <= MAGNITUDE)),
                               error=TOO_BIG))
        checks += _plausible_checks(fs, num)
        lo, hi = bounds(fs)
        checks += _domain_checks(f, num, fractions)
        if fs.kind == "count":
            checks.append(pa.Check(_ok(lambda v: num(v) is None or num(v) >= 0), error="非负整数(不能为负数)"))
            checks.append(pa.Check(_ok(lambda v: num(v) is None or float(num(v)).is_integer()),
                                   error=NOT_INTEGER))
        elif lo is not None or hi is not None:
            text = range_text(fs.kind, lo, hi)
            checks.append(pa.Check(_ok(lambda v: num(v) is None or (
                (lo is None or num(v) >= lo - 1e-9) and (hi is None or num(v) <= hi + 1e-9))), error=text))
        if pct and (fractions or _plausible_low(f) >= 1):
            checks.append(pa.Check(_ok(lambda v: isinstance(v, str) and v.endswith("%")
                                       or num(v) is None or not 0 < num(v) < 1), error=FRACTION))
    elif fs.kind == "bool":
        checks.append(pa.Check(_ok(lambda v: parse_bool(v) is not None), error=BOOL))
    elif fs.kind == "choice":
        checks.append(pa.Check(_ok(lambda v: parse_choice(v, fs.choices) is not None),
                               error="以下之一:" + "、".join(fs.choices)))
    elif fs.kind == "date":
        checks.append(pa.Check(_ok(lambda v: parse_date(v) is not None), error=DATE))
    return checks


def _domain_checks(f: Field, num: Callable[[Any], float | None], fractions: bool) -> list[pa.Check]:
    """Return the checks a plain-number fact gets from its domain (``ecoscore.spec.domains``):
    a rate or share within 0–100 (with the fix when it looks like a fraction), a count whole
    and not negative, a concentration, amount or index within its bounds.
    """
    fs = f.fact
    if fs.kind != "number":  # percent and count facts have their own checks above
        return []
    d = domain(fs)
    out = []
    if d.percent and (fractions or _plausible_low(f) >= 1):
        def fraction(v):
            x = num(v)
            return x is None or not 0 < x < 1 or (isinstance(v, str) and v.strip().endswith("%"))
        out.append(pa.Check(_ok(fraction), error=FRACTION))
    if d.low is not None or d.high is not None:
        text = range_text("number", d.low, d.high, DOMAIN_WORDS.get(d.kind))
        out.append(pa.Check(_ok(lambda v: num(v) is None or (
            (d.low is None or num(v) >= d.low - 1e-9) and (d.high is None or num(v) <= d.high + 1e-9))), error=text))
    if d.whole:
        out.append(pa.Check(_ok(lambda v: num(v) is None or float(num(v)).is_integer()), error=NOT_INTEGER))
    return out


def plausible_text(fs) -> str | None:
    """Return what a fact's figure must be to be plausible (its range, unit and the reason, in
    Chinese: "0至10000之间的浓度(微克/立方米;…;请核对…)"), or None where any figure in its
    domain is (``ecoscore.spec.domains.plausible``).
    """
    d = domain(fs)
    if d.plausible is None:
        return None
    lo, hi, why = d.plausible
    lo, hi = d.low if lo is None else lo, d.high if hi is None else hi
    word = "变化幅度" if d.kind == "change" else DOMAIN_WORDS.get(d.kind)
    unit = (fs.unit or "").strip()  # as the document writes it (μg/m³)
    return f"{range_text('number', lo, hi, word)}({unit + ';' if unit else ''}{why};{IMPLAUSIBLE_FIX})"


def _plausible_checks(fs, num: Callable[[Any], float | None]) -> list[pa.Check]:
    """Return the check of a figure against its plausible range (a figure beyond the generic
    cap is named by that check alone; the plausible range only ever lies beyond the domain's
    own bounds, so no figure is named twice).
    """
    text = plausible_text(fs)
    if text is None:
        return []
    d = domain(fs)

    def ok(v):
        x = num(v)
        return x is None or abs(x) > MAGNITUDE or not d.implausible(x)
    return [pa.Check(_ok(ok), error=text)]


def is_percentage(fs) -> bool:
    """Return whether a fact is a percentage 0–100 (a percent fact, or a plain number whose
    domain is a rate or share).
    """
    return fs.kind == "percent" or fs.kind == "number" and domain(fs).percent


def ones_as_whole(fields: list[Field], frame: pd.DataFrame, *, fractions: bool = False) -> list[tuple[Any, str]]:
    """Return the cells ``(unit, fact key)`` of a sheet's table where a percentage is typed as
    exactly 1, most likely 100% typed as a fraction (read as 1%; a warning, not an error).

    The rule: 1 (not "1%") in a percentage whose plausible range (its sample hint) starts at
    ``ONE_FAR_BELOW`` % or more — a 达标率 of 88–100, where 1% is no figure anyone reports —
    while the sheet's percentages are written in per-cent form: another percentage on it is
    above 1, or all of them are fractions (``fractions``, when the fractions are errors
    anyway). A percentage where 1 is plausible (a 下降率 of 0–5%, no sample hint) is left alone,
    and so is a sheet whose only percentage is this 1 (nothing shows which form it is in).
    """
    pct = [f for f in fields if is_percentage(f.fact) and f.key in frame.columns]

    def value(v):
        if v is None or isinstance(v, str) and v.strip().endswith(("%", "％")):
            return None
        return parse_number(v, True)

    cells = [(u, f, value(frame.at[u, f.key])) for f in pct for u in frame.index]
    # per-cent form: some other percentage above 1 (the 1 itself is not), or all fractions
    if not (fractions or any(x is not None and x > 1 for _, _, x in cells)):
        return []
    return [(u, f.key) for u, f, x in cells if x == 1 and _plausible_low(f) >= ONE_FAR_BELOW]


def looks_like_fractions(values: list[Any]) -> bool:
    """Return whether percentages were typed as fractions: at least two figures, all within 0–1
    and at least one strictly between.
    """
    nums = [x for v in values if not (isinstance(v, str) and v.endswith("%"))
            if (x := parse_number(v, True)) is not None]
    return len(nums) >= 2 and all(0 <= x <= 1 for x in nums) and any(0 < x < 1 for x in nums)


def facts_schema(fields: list[Field], *, fractions: bool = False) -> pa.DataFrameSchema:
    """Return the schema of a wide table of raw cells, one column per fact key."""
    return pa.DataFrameSchema(
        {f.key: pa.Column(None, fact_checks(f, fractions=fractions), nullable=True, required=False)
         for f in fields},
        strict=False,
    )


def run(schema: pa.DataFrameSchema, frame: pd.DataFrame,
        locate: Callable[[Any, str], Problem]) -> list[Problem]:
    """Validate ``frame`` lazily and return one ``Problem`` per failing cell.

    ``locate(index, column)`` returns the problem's position (file, sheet, row, column, unit);
    its ``expected`` comes from the check and ``found`` from the cell.
    """
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as e:
        out, seen = [], set()
        for r in e.failure_cases.itertuples(index=False):
            if r.index is None or (isinstance(r.index, float) and r.index != r.index):
                continue
            col = r.column if isinstance(r.column, str) else ""
            check = str(r.check)
            if check in ("not_nullable",):
                expected, found = "不能为空", "(空)"
            elif "uniqueness" in check:
                expected, found = "不重复", quote(frame.at[r.index, col]) if col else ""
            else:
                expected, found = check, quote(r.failure_case)
            key = (r.index, col, expected)
            if key in seen:
                continue
            seen.add(key)
            p = locate(r.index, col)
            p.expected, p.found = expected, found
            out.append(p)
        return out
    return []
