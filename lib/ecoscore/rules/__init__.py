"""The rule registry: every rule type, registered in one visible place.

``get(name)`` returns a rule class; an unknown name raises an error listing the known ones.
"""

from __future__ import annotations

from typing import Any

from ecoscore.rules.bar_or_trend import BarOrTrend
from ecoscore.rules.base import FactSpec, Outcome, Rule
from ecoscore.rules.cohort import CohortRank
from ecoscore.rules.compliance import Compound, Trend
from ecoscore.rules.conditional_trend import ConditionalTrend
from ecoscore.rules.panel import GradePanel
from ecoscore.rules.place import PlacePoints
from ecoscore.rules.points import (
    Counted,
    GradePoints,
    ImprovementTiers,
    Lateness,
    Manual,
    Piecewise,
    Proportional,
    Shortfall,
    StriveEnsure,
    TargetDelta,
    Threshold,
    YesNo,
)
from ecoscore.rules.provisions import GatedAward, Provision, QuotaShortfall, TargetOrAssessed
from ecoscore.rules.shared_task import SharedTask
from ecoscore.rules.tasks import Gate, Task
from ecoscore.rules.trend_band import TrendBand

_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule class to the registry under its ``type`` name."""
    if not cls.type or cls.type in _REGISTRY:
        raise ValueError(f"rule type name {cls.type!r} is empty or already registered")
    _REGISTRY[cls.type] = cls
    return cls


def get(name: str) -> type[Rule]:
    """Return the rule class registered as ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown rule type {name!r}; known types: {', '.join(sorted(_REGISTRY))}") from None


def known() -> list[str]:
    """Return the registered rule type names."""
    return sorted(_REGISTRY)


def from_params(params: dict[str, Any]) -> Rule:
    """Build a rule from its spec form ``{type: name, **parameters}``."""
    params = dict(params)
    cls = get(params.pop("type", ""))
    for k, v in params.items():
        if isinstance(v, list):
            params[k] = tuple(v)
    try:
        return cls(**params)
    except TypeError as e:
        raise ValueError(f"rule {cls.type}: {e}") from None


for _cls in (
    Threshold, YesNo, Piecewise, StriveEnsure, TargetDelta, Counted, GradePoints,
    ImprovementTiers, Proportional, Shortfall, Lateness, Manual, CohortRank, Trend,
    Compound, Task, Gate, GradePanel,
    Provision, QuotaShortfall, TargetOrAssessed, GatedAward,
    BarOrTrend,
    SharedTask,
    TrendBand,
    PlacePoints,
    ConditionalTrend,
):
    register(_cls)

__all__ = ["FactSpec", "Outcome", "Rule", "from_params", "get", "known", "register"]
