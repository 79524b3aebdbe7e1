"""Sample data (示例数据): plausible, seeded facts for every document, two consecutive years.

Values follow each line's ``sample`` hints (keyed by fact name):

* ``[low, high]`` — a number drawn uniformly between the two (clipped to the fact's range);
* ``[low, high, p]`` — a point mass: for counts and points (deductions, bonus events) the value
  is usually 0 and, with probability ``p``, drawn from ``low..high``; for other numbers the
  value is exactly ``high`` with probability ``p`` (a "100" most units report), else drawn;
* ``[p]`` — a yes/no fact, 是 with probability ``p``;
* a list of choices, or ``{choice: weight}`` — a grade drawn from them;
* a scalar — that value, always;
* ``<fact>.delta: [low, high]`` — for facts compared with last year: this year minus last year.

Which end of a range is good comes from the facts' own declarations (``FactSpec.better``:
a well-run unit draws high where higher is better, low where lower is, and a target is drawn
independently of quality); a grade's choices are listed best first.

Facts without a hint get a default from their kind and range. Draws are rank-correlated
within a unit (a well-run unit tends to do well everywhere) through a latent quality per
unit, and each value's random stream is seeded by (document, unit, fact, year), so adding a
line to a spec does not change the other values. A small deterministic scenario layer then
makes sure the variety the product must show occurs somewhere (see ``ecoscore.facts.sample_cases``).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ecoscore.facts.workbook import EVENTS, Field, bounds, build_layout, task_reporters
from ecoscore.spec import Spec, list_documents, load_spec

LOADING = 0.6  # correlation of a unit's facts with its latent quality (as a normal loading)
DRIFT = 0.25  # last year was, on the whole, this much worse (in latent units)


def _seed(*parts) -> list[int]:
    return [zlib.crc32(str(p).encode("utf-8")) for p in parts]


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def hint_for(f: Field, suffix: str = "") -> object:
    """Return a field's sample hint (``suffix`` ".delta" for the change hint), or None."""
    if f.line is None:
        return None
    name = f.key.rsplit(":", 1)[1] + suffix
    hints = f.line.sample or {}
    if name in hints:
        return hints[name]
    m = re.match(r"p\d+_(.+)", name)
    return hints.get(m.group(1)) if m and m.group(1) in hints else None


def direction(rule, name: str) -> str:
    """Return which way is better for a rule's fact, as the rule declares it (``FactSpec.better``):
    ``up``, ``down`` or ``neutral`` (targets, reference values, free text).
    """
    fact = next((f for f in rule.facts() if f.name == name), None)
    if fact is None:
        raise KeyError(f"rule {rule.type!r} has no fact {name!r}")
    return _better(fact, rule.type)


def _better(fact, owner: str) -> str:
    if fact.better is None:
        raise ValueError(f"{owner}: fact {fact.name!r} does not declare which way is better (FactSpec.better)")
    return fact.better


def citywide(f: Field) -> bool:
    """Return whether a fact is one figure for the whole city entered on every row
    (its label says 全市 or 填写一次), so sample rows must agree.
    """
    return "填写一次" in f.fact.label or "全市一项" in f.fact.label


def _decimals(lo: float, hi: float, kind: str) -> int:
    if kind in ("count", "days"):
        return 0
    width = abs(hi - lo) or abs(hi) or 1.0
    return int(min(4, max(0, math.ceil(-math.log10(width)) + 2 if width < 1 else 1 if width < 100 else 0)))


def _default_range(f: Field) -> tuple[float, float]:
    lo, hi = bounds(f.fact)
    k = f.fact.kind
    if k == "percent":
        return (60.0, 100.0) if (lo, hi) == (0.0, 100.0) else (lo, hi)
    if k == "count":
        return 0.0, 2.0
    if k == "days":
        return 0.0, 45.0
    if k == "points":
        m = f.line.max if f.line is not None and f.line.max else 5.0
        return 0.0, float(hi if hi is not None else m)
    if f.fact.typical is not None:  # values sit near the rule's fixed target
        return sorted((0.8 * f.fact.typical, 1.2 * f.fact.typical))
    return (lo if lo is not None else 0.0), (hi if hi is not None else 100.0)


@dataclass
class SampleYear:
    """One year of sample facts: the fact table (events summed in) and the events themselves."""

    year: int
    facts: pd.DataFrame
    events: list[dict] = field(default_factory=list)


class Sampler:
    """Draw sample facts for one document; ``shift`` and ``overrides`` are the scenario's levers."""

    def __init__(self, spec: Spec):
        self.spec, self.lay = spec, build_layout(spec)
        self.z = {u: np.random.default_rng(_seed(spec.id, "quality", u)).standard_normal()
                  for u in spec.unit_names}
        self.shift: dict[str, float] = {}
        self.overrides: dict[tuple[int, str, str], object] = {}
        self.note_overrides: dict[tuple[int, str, str], str] = {}

    def position(self, year: int, unit: str, key: str) -> float:
        """Return a draw in [0, 1], uniform over units, correlated with the unit's quality."""
        if citywide(self.lay.fields[key]):
            unit = self.spec.unit_names[0]  # one figure for the whole city, the same on every row
        rng = np.random.default_rng(_seed(self.spec.id, unit, key))
        e_now, e_alt = rng.standard_normal(2)
        z = self.z[unit] + self.shift.get(unit, 0.0)
        e = e_now
        if year < self.spec.year:
            e = 0.7 * e_now + 0.71 * e_alt
            z -= DRIFT * (self.spec.year - year)
        return _phi(LOADING * z + math.sqrt(1 - LOADING**2) * e)

    def uniform(self, *parts) -> float:
        """Return a uniform draw seeded by ``parts`` (for values unrelated to quality)."""
        return float(np.random.default_rng(_seed(self.spec.id, *parts)).random())

    def direction(self, f: Field) -> str:
        """Return which way is better for a field (``up``, ``down``, ``neutral``), as declared.

        A policy's fact (no line) that declares nothing counts as ``up``: the policies' facts
        are yes/no conditions where yes is good.
        """
        if f.line is None:
            return f.fact.better or "up"
        return _better(f.fact, f.line.rule.type)

    def value(self, f: Field, unit: str, year: int):
        """Return the sample value of one fact for one unit and year."""
        if (year, unit, f.key) in self.overrides:
            return self.overrides[(year, unit, f.key)]
        if f.fact.kind == "text":
            return None
        d = self.direction(f)
        pos = self.position(year, unit, f.key)
        who = self.spec.unit_names[0] if citywide(f) else unit
        t = self.uniform("neutral", who, f.key) if d == "neutral" else (pos if d == "up" else 1 - pos)
        v = self.draw(f, t)
        delta = hint_for(f, ".delta")
        if year < self.spec.year and delta is not None and f.fact.previous and v is not None:
            now = self.value(f, unit, self.spec.year)
            if now is None:
                return v
            lo, hi = float(delta[0]), float(delta[1])
            v = self._clip(f, now - (lo + (hi - lo) * self.uniform("delta", unit, f.key, year)), lo, hi)
        return v

    def worst(self, f: Field):
        """Return the worst value a fact's hint allows (the hardest target, for targets)."""
        d = self.direction(f)
        if d == "neutral":
            # the hardest target is the one the fact it is compared with finds hardest
            of = f.fact.target_of
            value_dir = direction(f.line.rule, of) if of and f.line is not None else "neutral"
            return self.draw(f, 1.0 if value_dir == "up" else 0.0)
        return self.draw(f, 0.0 if d == "up" else 1.0)

    def best(self, f: Field):
        """Return the best value a fact's hint allows (the easiest target, for targets)."""
        d = self.direction(f)
        if d == "neutral":
            w = self.worst(f)
            lo_hi = [self.draw(f, 0.0), self.draw(f, 1.0)]
            return lo_hi[0] if w == lo_hi[1] else lo_hi[1]
        return self.draw(f, 1.0 if d == "up" else 0.0)

    def draw(self, f: Field, t: float):
        """Return the value at position ``t`` (0 = low end of the hint, 1 = high end)."""
        kind, hint = f.fact.kind, hint_for(f)
        if kind == "bool":
            if isinstance(hint, bool):
                return hint
            p = float(hint[0]) if isinstance(hint, list) and len(hint) == 1 else (
                0.05 if self.direction(f) == "down" or not f.fact.required else 0.85)
            return bool(t > 1 - p) if 0 < p < 1 else bool(p)
        if kind == "choice":
            return self._choice(f, hint, t)
        if kind == "date":
            return pd.Timestamp(self.spec.year, 1, 1) + pd.Timedelta(days=int(t * 364))
        if kind == "text":
            return None
        return self._number(f, hint, t)

    def _number(self, f: Field, hint, t: float):
        kind = f.fact.kind
        if isinstance(hint, (int, float)) and not isinstance(hint, bool):
            return float(hint)
        if isinstance(hint, list) and len(hint) >= 2:
            lo, hi = float(hint[0]), float(hint[1])
            p = float(hint[2]) if len(hint) > 2 else None
        else:
            (lo, hi), p = _default_range(f), None
        if p is not None and kind in ("count", "points"):
            v = 0.0 if t < 1 - p else lo + (hi - lo) * (t - (1 - p)) / p
        elif p is not None:
            v = hi if t > 1 - p else lo + (hi - lo) * t / (1 - p)
        else:
            v = lo + (hi - lo) * t
        return self._clip(f, v, lo, hi)

    def _clip(self, f: Field, v: float, lo: float, hi: float) -> float:
        flo, fhi = bounds(f.fact)
        v = min(max(v, flo if flo is not None else -math.inf), fhi if fhi is not None else math.inf)
        if f.fact.kind == "points":
            return round(v * 2) / 2
        nd = _decimals(lo, hi, f.fact.kind)
        v = round(v, nd)
        return float(int(v)) if nd == 0 else v

    def _choice(self, f: Field, hint, pos: float):
        choices = list(f.fact.choices)
        weights = [1.0] * len(choices)
        if isinstance(hint, dict):
            weights = [float(hint.get(c, 0)) for c in choices]
        elif isinstance(hint, list) and hint and all(isinstance(x, str) for x in hint):
            weights = [1.0 if c in hint else 0.0 for c in choices]
        elif isinstance(hint, str) and hint in choices:
            return hint
        total = sum(weights) or 1.0
        cum, u = 0.0, 1 - pos  # choices are listed best first: the best grade for the best positions
        for c, w in zip(choices, weights):
            cum += w / total
            if u <= cum:
                return c
        return choices[-1]

    def note(self, f: Field, unit: str, year: int, values: dict) -> str | None:
        """Return sample text for a note fact, explaining shortfalls (or None)."""
        if (year, unit, f.key) in self.note_overrides:
            return self.note_overrides[(year, unit, f.key)]
        line = f.line
        if line is None:
            return None
        comp = values.get(f"{line.id}:completion")
        if comp is not None and comp == comp:
            if comp < 100:
                return f"受项目审批和资金到位进度影响,年度任务完成{comp:g}%,剩余部分计划于次年上半年完成(示例)"
            return "已按期完成(示例)" if self.uniform("note", unit, f.key, year) < 0.3 else None
        pts = values.get(f"{line.id}:points")
        if pts is not None and pts == pts:
            return "根据日常督查和季度通报情况评定(示例)"
        flag = values.get(f"{line.id}:flag")
        if flag is not None and direction(line.rule, "flag") == "down" and flag:
            return f"{year}年发生该情形,经核实属实(示例)"
        return None

    def events(self, year: int) -> list[dict]:
        """Return the sample events (bonus and deduction items) of a year."""
        out = []
        for key, item in self.lay.events.items():
            f = self.lay.fields[key]
            for u in self.spec.unit_names:
                if not item.line.applies(u):
                    continue
                v = self.value(f, u, year)
                if not v:
                    continue
                n = 1 if item.direct or v > 3 else int(v)
                for k in range(n):
                    day = int(self.uniform("date", u, key, year, k) * 360)
                    out.append({
                        "unit": u, "line_id": item.line.id, "item": item.label,
                        "amount": v if n == 1 else 1,
                        "evidence": f"{u}{item.label[:24]}情况通报〔{year}〕{10 + k + day % 80}号(示例)",
                        "date": (pd.Timestamp(year, 1, 10) + pd.Timedelta(days=day)).date(),
                    })
        return out

    def year(self, year: int) -> SampleYear:
        """Return the sample facts of ``year`` (the document's year or the year before)."""
        spec = self.spec
        rows: dict[str, dict] = {u: {} for u in spec.unit_names}
        notes = []
        for f in self.lay.fields.values():
            if f.home == EVENTS:
                continue
            units = task_reporters(f.line, spec) if f.line is not None and f.home == "tasks" else [
                u for u in spec.unit_names if f.applies(u)]
            if f.fact.kind == "text":
                notes.append((f, units))
                continue
            for u in units:
                rows[u][f.key] = self.value(f, u, year)
        for f, units in notes:
            for u in units:
                rows[u][f.key] = self.note(f, u, year, rows[u])
        events = self.events(year)
        for e in events:
            key = next(k for k, i in self.lay.events.items() if i.line.id == e["line_id"] and i.label == e["item"])
            rows[e["unit"]][key] = rows[e["unit"]].get(key, 0.0) + float(e["amount"])
        keys = list(self.lay.fields)
        frame = pd.DataFrame.from_dict(rows, orient="index").reindex(index=spec.unit_names)
        frame = frame.reindex(columns=[k for k in keys if k in frame.columns])
        return SampleYear(year, frame, events)


def generate(spec: Spec | str) -> dict[int, SampleYear]:
    """Return ``{year - 1: …, year: …}`` of sample facts for a document, scenario applied."""
    from ecoscore.facts.sample_cases import apply_scenarios

    spec = load_spec(spec) if isinstance(spec, str) else spec
    sampler = Sampler(spec)
    apply_scenarios(sampler)
    return {y: sampler.year(y) for y in (spec.year - 1, spec.year)}


def sample_workbooks(spec: Spec | str, out_dir: str | Path | None = None) -> dict[Path, bytes]:
    """Return ``{path: xlsx bytes}`` of a document's two sample workbooks (byte-for-byte
    reproducible: the same spec always gives the same bytes).
    """
    from ecoscore.atomic import workbook_bytes
    from ecoscore.facts import DATA_DIR, SAMPLE_WORD
    from ecoscore.facts.template import build_workbook

    spec = load_spec(spec) if isinstance(spec, str) else spec
    base = Path(out_dir) if out_dir else DATA_DIR
    out = {}
    for y, s in generate(spec).items():
        wb = build_workbook(spec, year=y, facts=s.facts, events=s.events, previous_rows=False, sample=True)
        out[base / spec.id / f"{SAMPLE_WORD}-{y}.xlsx"] = workbook_bytes(wb, reproducible=True)
    return out


def write_samples(spec: Spec | str, out_dir: str | Path | None = None) -> list[Path]:
    """Generate and write a document's two sample workbooks (atomically); return their paths."""
    from ecoscore.atomic import write_bytes

    return [write_bytes(p, data) for p, data in sample_workbooks(spec, out_dir).items()]


def check_samples(docs: list[str], out_dir: str | Path | None = None) -> dict[str, str]:
    """Return ``{doc: why}`` for documents whose committed sample files are missing or differ
    from what the generator makes now.
    """
    stale = {}
    for doc in docs:
        for path, data in sample_workbooks(doc, out_dir).items():
            if not path.exists():
                stale[doc] = f"缺少 {path}"
            elif path.read_bytes() != data:
                stale[doc] = f"{path} 与当前规格生成的示例数据不一致"
    return stale


def main(argv: list[str] | None = None) -> int:
    """Regenerate the sample data of the given documents (default: all)."""
    p = argparse.ArgumentParser(prog="python -m ecoscore.facts.samples", description="重新生成示例数据(示例数据)")
    p.add_argument("docs", nargs="*", help="考核文件代码(缺省为全部)")
    p.add_argument("--out-dir", help="输出目录(缺省为 data/)")
    args = p.parse_args(argv)
    for doc in args.docs or list_documents():
        for path in write_samples(doc, args.out_dir):
            print(f"已写出 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
