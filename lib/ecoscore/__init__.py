"""ecoscore: scoring, validation and reports for ecological-civilization assessments."""

from ecoscore.errors import EcoscoreError, FactsError, RenderError, SpecError
from ecoscore.scoring.engine import Result, score
from ecoscore.spec import Spec, list_documents, load_spec

__all__ = [
    "EcoscoreError",
    "FactsError",
    "RenderError",
    "Result",
    "Spec",
    "SpecError",
    "list_documents",
    "load_spec",
    "score",
]
