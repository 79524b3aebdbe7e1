"""Task-book lines (000 附件3, 001, key-task lists) and gates (评优前置, 合格否决)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecoscore.rules.base import Context, FactSpec, Outcome, Rule, Scores, choose, fmt, full_array

GATE_KINDS = ("评优前置", "合格否决")

#: comparisons a measured task uses, with the words a reason writes
OPS = {"<": (np.less, "低于"), "<=": (np.less_equal, "不高于"), ">": (np.greater, "高于"),
       ">=": (np.greater_equal, "达到")}


def _known(vals) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(value, known)`` for a yes/no column: True/False, and where it was reported."""
    known = np.array([v is not None and v == v for v in vals], dtype=bool)
    return np.array([bool(v) if k else False for v, k in zip(vals, known)], dtype=bool), known


def _figures(raw, op_default: str) -> tuple[tuple, ...]:
    """Normalise a task's ``figures`` to ``(name, label, op, target, unit)`` tuples."""
    out = []
    for f in raw or ():
        f = dict(f)
        extra = set(f) - {"name", "label", "op", "target", "unit"}
        if extra or not {"name", "label", "target"} <= set(f):
            raise ValueError(f"a figure needs name, label, target (op, unit optional), not {sorted(f)}")
        op = f.get("op", op_default)
        if op not in OPS:
            raise ValueError(f"figure {f['name']}: op must be one of {', '.join(OPS)}")
        out.append((str(f["name"]), str(f["label"]), op, float(f["target"]), str(f.get("unit", ""))))
    return tuple(out)


@dataclass(frozen=True)
class Task(Rule):
    """A task with a completion percentage; with points, scored pro rata by completion
    ("根据该项任务的分值和任务量按比例扣分"), otherwise 已完成 / 未完成.

    ``figures``: a task the document states as figures ("城市区域环境噪声低于55分贝",
    "机械化清扫率保持100%"): a list of ``{name, label, op, target, unit}``; the task is done
    when every figure meets its target (the value shown is the first figure); ``op`` is the
    comparison of a figure that names none (``>=`` unless set). ``not_counted``:
    a reason in the document's words why the row is not assessed (不涉及, 与另一行为同一任务);
    the row is then 不适用 and reads no figure.
    """

    type = "task"
    figures: tuple = ()
    op: str = ">="
    not_counted: str = ""

    def __post_init__(self):
        if self.op not in OPS:
            raise ValueError(f"op must be one of {', '.join(OPS)}")
        object.__setattr__(self, "figures", _figures(self.figures, self.op))

    def facts(self):
        note = FactSpec("note", "完成情况说明", "text", required=False, better="neutral")
        if self.not_counted:
            return (note,)
        if self.figures:
            return tuple(
                FactSpec(name, label, "number", unit, better="up" if op in (">", ">=") else "down",
                         typical=target) for name, label, op, target, unit in self.figures) + (note,)
        return (FactSpec("completion", "完成比例", "percent", "%", minimum=0, maximum=100, better="up"), note)

    def measure(self):
        if self.not_counted:
            return None
        return self.figures[0][0] if self.figures else "completion"

    def label(self):
        if self.not_counted:
            return f"不列入考核:{self.not_counted}"
        if self.figures:
            return "各项数值均达到要求即完成:" + ";".join(
                f"{label}{OPS[op][1]}{fmt(target)}{unit}" for _, label, op, target, unit in self.figures)
        return "按任务完成比例计分"

    def score(self, ctx: Context) -> Scores:
        if self.not_counted:
            return Scores(np.full(ctx.n, np.nan), full_array(ctx.n, Outcome.NOT_APPLICABLE),
                          [f"不列入考核:{self.not_counted}"] * ctx.n)
        if self.figures:
            return self._score_figures(ctx)
        c = np.clip(ctx.num("completion"), 0, 100)
        notes = ctx.obj("note")
        done = c >= 100 - 1e-9

        def why(note):
            return f"({note})" if note not in (None, "") and note == note else ""

        if ctx.max is None:
            outcome = choose(done, Outcome.DONE, Outcome.NOT_DONE)
            reason = lambda: [("已完成" if d else f"完成{fmt(x)}%,未完成") + why(nt) for x, d, nt in zip(c, done, notes)]
            return Scores(np.full(ctx.n, np.nan), outcome, reason, value=c, gap=100 - c)
        points = ctx.max * c / 100
        outcome = full_array(ctx.n, Outcome.PARTIAL)
        outcome[done] = Outcome.FULL
        outcome[c <= 0] = Outcome.ZERO
        reason = lambda: [
            (f"全部完成,得{fmt(p)}分" if d else
             f"完成{fmt(x)}%,按比例扣{fmt(ctx.max - p)}分,得{fmt(p)}分") + why(nt)
            for x, d, p, nt in zip(c, done, points, notes)
        ]
        return Scores(points, outcome, reason, value=c, gap=100 - c)

    def _score_figures(self, ctx: Context) -> Scores:
        done = np.ones(ctx.n, dtype=bool)
        said = [[] for _ in range(ctx.n)]
        for name, label, op, target, unit in self.figures:
            v = ctx.num(name)
            ok = OPS[op][0](v, target)
            done &= ok
            for k in range(ctx.n):
                word = OPS[op][1] if ok[k] else "未" + OPS[op][1]
                said[k].append(f"{label}{fmt(v[k])}{unit},{word}{fmt(target)}{unit}")
        first = ctx.num(self.figures[0][0])
        target = np.full(ctx.n, self.figures[0][3])
        reason = ["".join([";".join(b), ",已完成" if d else ",未完成"]) for b, d in zip(said, done)]
        if ctx.max is None:
            outcome = choose(done, Outcome.DONE, Outcome.NOT_DONE)
            return Scores(np.full(ctx.n, np.nan), outcome, reason, value=first, target=target, gap=first - target)
        points = np.where(done, ctx.max, 0.0)
        outcome = choose(done, Outcome.FULL, Outcome.ZERO)
        reason = [f"{r},得{fmt(p)}分" for r, p in zip(reason, points)]
        return Scores(points, outcome, reason, value=first, target=target, gap=first - target)


@dataclass(frozen=True)
class Gate(Rule):
    """A gate: 评优前置 (must hold for the unit to be rated excellent) or 合格否决
    (if it happens, the unit fails whatever its score).

    By default one yes/no fact ``flag`` (评优前置: 是否满足; 合格否决: 是否发生). ``questions``
    (``{name: label}``) asks the conditions of the clause separately, each a yes/no fact, and
    ``when`` says which of them make the gate's event (评优前置: the condition holds; 合格否决:
    the veto happens): a list of alternatives, each a list of questions that must all be 是
    (default: any one question). A missing answer counts only when it could change the result
    (三值: 是/否/未知). ``rise``: a 评优前置 "提升目标" with no stated value, met when this year's
    figure ``value`` is above last year's figure ``last_year``.
    """

    type = "gate"
    kind: str = "评优前置"
    questions: Any = ()
    when: tuple = ()
    rise: bool = False

    def __post_init__(self):
        if self.kind not in GATE_KINDS:
            raise ValueError(f"gate kind must be one of {', '.join(GATE_KINDS)}")
        qs = tuple((str(k), str(v)) for k, v in dict(self.questions or {}).items())
        object.__setattr__(self, "questions", qs)
        names = [q for q, _ in qs]
        when = tuple(tuple(str(x) for x in alt) for alt in self.when) or tuple((q,) for q in names)
        unknown = sorted({x for alt in when for x in alt} - set(names))
        if unknown:
            raise ValueError(f"gate 'when' names unknown questions {unknown}; questions: {names}")
        if self.rise and (qs or self.kind != "评优前置"):
            raise ValueError("gate 'rise' is for a 评优前置 without questions")
        object.__setattr__(self, "when", when)

    @property
    def handles_missing(self) -> bool:  # type: ignore[override]
        """Return whether the gate decides itself what a missing answer means (questions)."""
        return bool(self.questions)

    def facts(self):
        bar = self.kind == "评优前置"
        note = FactSpec("note", "情况说明", "text", required=False, better="neutral")
        if self.rise:
            return (FactSpec("value", "本年度数值", "number", better="up"),
                    FactSpec("last_year", "上年度数值", "number", better="neutral", target_of="value"), note)
        if self.questions:
            return tuple(FactSpec(q, label, "bool", required=False, better="up" if bar else "down")
                         for q, label in self.questions) + (note,)
        q = "是否满足" if bar else "是否发生"
        # 评优前置: meeting the condition is good; 合格否决: the event happening is bad
        return (FactSpec("flag", q, "bool", better="up" if bar else "down"), note)

    def measure(self):
        return None

    def gate(self):
        return "bar" if self.kind == "评优前置" else "veto"

    def label(self):
        base = f"{self.kind}:{'不满足则不得评优' if self.kind == '评优前置' else '发生即不合格'}"
        if self.rise:
            return base + "(本年度数值高于上年度即为完成提升目标)"
        if self.questions:
            label = dict(self.questions)
            return base + "(" + ";或".join("且".join(label[q] for q in alt) for alt in self.when) + ")"
        return base

    def _event(self, ctx) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Return ``(event, known, why)``: the gate's event under three-valued logic."""
        label = dict(self.questions)
        ans = {q: _known(ctx.obj(q)) for q in label}
        event, known, why = np.zeros(ctx.n, bool), np.zeros(ctx.n, bool), [""] * ctx.n
        for k in range(ctx.n):
            alts = []
            for alt in self.when:
                vals = [bool(ans[q][0][k]) if ans[q][1][k] else None for q in alt]
                alts.append((alt, False if False in vals else True if all(v is True for v in vals) else None))
            hit = [alt for alt, v in alts if v is True]
            if hit:
                event[k], known[k] = True, True
                why[k] = "且".join(label[q] for q in hit[0])
            elif all(v is False for _, v in alts):
                known[k] = True
            else:
                lacking = [label[q] for alt, v in alts if v is None for q in alt if not ans[q][1][k]]
                why[k] = "、".join(dict.fromkeys(lacking))
        return event, known, why

    def score(self, ctx):
        bar = self.kind == "评优前置"
        if self.rise:
            v, p = ctx.num("value"), ctx.num("last_year")
            known = ~(np.isnan(v) | np.isnan(p))
            f = np.where(known, v > p, False)
            why = [f"(本年度{fmt(a)},上年度{fmt(b)})" for a, b in zip(v, p)]
        elif self.questions:
            f, known, why = self._event(ctx)
        else:
            vals = ctx.obj("flag")
            f, known = _known(vals)
            why = [""] * ctx.n
        yes, no = (Outcome.MET, Outcome.NOT_MET) if bar else (Outcome.TRIGGERED, Outcome.CLEAR)
        outcome = choose(f, yes, no)
        outcome[~known] = Outcome.MISSING

        def reason():
            out = []
            for x, k, w in zip(f, known, why):
                if not k:
                    out.append(f"缺少数据:{w or '是否' + ('满足' if bar else '发生')},暂无法判定")
                elif bar:
                    out.append(("满足评优前置条件" if x else "不满足评优前置条件,不得评为优秀")
                               + (w if self.rise else ""))
                else:
                    out.append(("触发合格否决,考核结果为不合格" + (f":{w}" if w else "")) if x
                               else "未发生,未触发合格否决")
            return out

        return Scores(np.full(ctx.n, np.nan), outcome, reason)
