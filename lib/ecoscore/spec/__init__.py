"""Declarations: each assessment document as a YAML spec (units, groups, lines, rules, clauses, readings).

``spec/documents/<id>.yaml`` holds the documents; ``model`` loads them into frozen dataclasses;
``integrity`` checks every spec on load.
"""

from ecoscore.spec.model import (
    ATTRIBUTES,
    FAMILIES,
    KINDS,
    SPEC_DIR,
    Ambiguity,
    GradeBand,
    Group,
    Line,
    Ranking,
    Reading,
    Spec,
    Unit,
    build_spec,
    list_documents,
    load_spec,
    parse_readings,
)

__all__ = [
    "ATTRIBUTES", "FAMILIES", "KINDS", "SPEC_DIR", "Ambiguity", "GradeBand", "Group", "Line", "Ranking", "Reading",
    "Spec", "Unit", "build_spec", "list_documents", "load_spec", "parse_readings",
]
