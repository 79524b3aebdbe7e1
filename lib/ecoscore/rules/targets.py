"""Targets: a fixed number, a per-unit figure handed down (a fact), or one chosen by unit category."""

from __future__ import annotations

from typing import Any

import numpy as np

from ecoscore.rules.base import Context, FactSpec, fmt

TARGET_FACT = "target"


def target_facts(target: Any, label: str = "考核目标值", unit: str = "", of: str = "value") -> tuple[FactSpec, ...]:
    """Return the fact a target needs: one only when the target is handed down per unit.

    A target is neither better high nor low (``better: neutral``); ``of`` names the fact it
    is compared with.
    """
    if target == "fact":
        return (FactSpec(TARGET_FACT, label, "number", unit, better="neutral", target_of=of),)
    return ()


def typical(target: Any) -> float | None:
    """Return a fixed, non-zero numeric target (values usually sit near it), else None."""
    if isinstance(target, (int, float)) and not isinstance(target, bool) and target:
        return float(target)
    return None


def resolve_target(target: Any, ctx: Context) -> np.ndarray:
    """Return the target for each unit as floats (NaN where it cannot be known)."""
    if target is None:
        return np.full(ctx.n, np.nan)
    if target == "fact":
        return ctx.num(TARGET_FACT)
    if isinstance(target, dict):
        cats = ctx.categories.get(target["by"])
        values = target["values"]
        if cats is None:
            return np.full(ctx.n, np.nan)
        return np.array([float(values.get(c, np.nan)) for c in cats], dtype=float)
    return np.full(ctx.n, float(target))


def describe_target(target: Any) -> str:
    """Return a short Chinese description of a target."""
    if target is None:
        return "—"
    if target == "fact":
        return "上级下达的目标值"
    if isinstance(target, dict):
        parts = "、".join(f"{k}{fmt(v)}" for k, v in target["values"].items())
        return f"按{target['by']}:{parts}"
    return fmt(target)


def validate_target(target: Any) -> None:
    """Raise ValueError if ``target`` is not one of the accepted forms."""
    if target is None or target == "fact" or isinstance(target, (int, float)):
        return
    if isinstance(target, dict) and set(target) == {"by", "values"} and isinstance(target["values"], dict):
        return
    raise ValueError(
        f"target must be a number, 'fact' or {{by: ..., values: {{...}}}}, not {target!r}"
    )
