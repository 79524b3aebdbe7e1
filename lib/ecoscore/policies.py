"""Document-specific grading policies, referenced by name from a spec's ``policies`` list.

A policy adjusts the summary after grades are set (e.g. 000: key units may be promoted to
优秀; non-key units get the cohort average adjusted by completion). Policies are behaviour,
so they live here; the spec only names them and gives their parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ecoscore.rules.base import FactSpec

PolicyFn = Callable[..., pd.DataFrame]
_POLICIES: dict[str, tuple[PolicyFn, Callable[[dict], tuple[FactSpec, ...]]]] = {}


def register_policy(name: str, facts: Callable[[dict], tuple[FactSpec, ...]] = lambda p: ()):
    """Register a policy function under ``name`` with the facts it reads."""

    def deco(fn: PolicyFn) -> PolicyFn:
        if name in _POLICIES:
            raise ValueError(f"policy {name!r} already registered")
        _POLICIES[name] = (fn, facts)
        return fn

    return deco


def known_policies() -> list[str]:
    """Return the registered policy names."""
    return sorted(_POLICIES)


def _get(name: str):
    try:
        return _POLICIES[name]
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(known_policies()) or '(none)'}") from None


def policy_facts(params: dict[str, Any]) -> list[tuple[str, FactSpec]]:
    """Return ``(key, fact)`` for the facts a policy reads; keys are ``"@<policy>:<name>"``."""
    _, facts = _get(params["type"])
    return [(f"@{params['type']}:{f.name}", f) for f in facts(params)]


def apply_policies(spec, summary: pd.DataFrame, groups: pd.DataFrame, audit: pd.DataFrame,
                   facts: pd.DataFrame | None) -> pd.DataFrame:
    """Apply every policy the spec names, in order."""
    for params in spec.policies:
        fn, _ = _get(params["type"])
        summary = fn(spec, summary, groups, audit, facts, **{k: v for k, v in params.items() if k != "type"})
    return summary
