"""ecoscore: scoring, validation and reports for ecological-civilization assessments."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecoscore")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

from ecoscore.errors import EcoscoreError, FactsError, RenderError, SpecError
from ecoscore.scoring.engine import score
from ecoscore.scoring.result import Result, ScoredCohort
from ecoscore.spec import Spec, list_documents, load_spec

__all__ = [
    "EcoscoreError",
    "FactsError",
    "RenderError",
    "Result",
    "ScoredCohort",
    "Spec",
    "SpecError",
    "list_documents",
    "load_spec",
    "score",
]
