"""Contract: every params file fits its document and its notebook's parameters cell."""

from __future__ import annotations

import ast

import papermill
import pytest

from ecoscore import list_documents, load_spec
from ecoscore.batch.render import load_params, notebook_for
from ecoscore.spec import parse_readings
from tests.conftest import ROOT

PARAMS = sorted((ROOT / "params").glob("*.yaml"))


def test_every_document_has_a_params_file_and_a_notebook():
    docs = set(list_documents())
    assert {p.stem for p in PARAMS} == docs
    for doc in docs:
        assert notebook_for(doc).exists(), doc


@pytest.mark.parametrize("path", PARAMS, ids=[p.stem for p in PARAMS])
def test_params_file_fits_its_notebook(path):
    params = load_params(path)
    assert params["doc"] == path.stem
    spec = load_spec(params["doc"])
    declared = papermill.inspect_notebook(str(notebook_for(spec.id)))
    assert {"doc", "unit", "result"} <= set(declared), "render injects doc, unit and the scored result"
    assert params.get("year") in (None, spec.year) or isinstance(params["year"], int)
    units = params.get("units", "all")
    assert units == "all" or set(units) <= set(spec.unit_names)
    parse_readings(spec, params.get("readings") or None)  # raises on an unknown reading
    for key in ("facts", "previous"):
        if params.get(key):
            assert (ROOT / params[key]).exists(), f"{key} file {params[key]} is missing"
    assert ast.literal_eval(declared["doc"]["default"]) == spec.id
    assert ast.literal_eval(declared["unit"]["default"]) in spec.unit_names
