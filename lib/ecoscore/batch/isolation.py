"""Keep one unit's notebook from changing the next unit's report in a reused kernel.

A render worker runs notebook after notebook in one kernel (``batch.kernels``): starting a
kernel and importing pandas and ecoscore costs more than a report. IPython's ``reset`` clears
the notebook's variables, but not what a notebook changes in the process: matplotlib's
``rcParams``, pandas' options, a module's globals (``ecoscore.words.X = …`` or an item put into
a module-level list or dict), the working directory, environment variables, ``sys.path``,
warning filters, NumPy's random state. ``snapshot`` records all of these once the notebook's
imports are done (before the first unit); ``restore`` puts every one of them back before each
next unit and returns what it found changed (logged by the kernel, tested by
``tests/batch/test_isolation.py``).

Module globals are compared by identity (a name rebound) and, for module-level lists, dicts
and sets, by the identity of their items (an item added, removed or replaced); restoring puts
the recorded object or items back. A module first imported by a unit is recorded when the next
unit starts. Caches that are meant to outlive a unit (the scored result a worker reads once
for many units, and the what-if session over its facts) are listed in ``KEEP``.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings

#: module-level names whose changes are intended to carry over between units (read-only caches)
KEEP = {("ecoscore.reports.report", "_LOADED"), ("ecoscore.whatif.goals", "_LAST")}
#: the modules whose globals are recorded: the library and the report's own helpers
PREFIXES = ("ecoscore",)

_state: dict | None = None


def _modules() -> dict:
    return {name: m for name, m in list(sys.modules.items())
            if m is not None and name.split(".")[0] in PREFIXES and name != __name__}


def _container_items(value):
    if isinstance(value, dict):
        return [(k, id(v)) for k, v in value.items()]
    if isinstance(value, (list, set)):
        return sorted(id(v) for v in value) if isinstance(value, set) else [id(v) for v in value]
    return None


def _record_module(module) -> dict:
    names = {}
    for k, v in vars(module).items():
        if k.startswith("__") or (module.__name__, k) in KEEP:
            continue
        items = _container_items(v)
        names[k] = (v, items, copy.copy(v) if items is not None else None)
    return names


def snapshot(cwd: str | None = None) -> None:
    """Record the process state every unit must start from (call once, after the imports)."""
    global _state
    state = {"cwd": cwd or os.getcwd(), "env": dict(os.environ), "path": list(sys.path),
             "warnings": list(warnings.filters), "modules": {n: _record_module(m) for n, m in _modules().items()}}
    if "matplotlib" in sys.modules:
        import matplotlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    if "pandas" in sys.modules:
        from pandas._config import config

        state["pandas"] = copy.deepcopy(config._global_config)
    if "numpy" in sys.modules:
        import numpy as np

        state["random"] = np.random.get_state()
    _state = state


def restore() -> list[str]:
    """Put back everything ``snapshot`` recorded; return what had changed (English, for the log)."""
    if _state is None:
        snapshot()
        return []
    s, changed = _state, []
    if os.getcwd() != s["cwd"]:
        changed.append("cwd")
        os.chdir(s["cwd"])
    if dict(os.environ) != s["env"]:
        changed.append("environ")
        os.environ.clear()
        os.environ.update(s["env"])
    if sys.path != s["path"]:
        changed.append("sys.path")
        sys.path[:] = s["path"]
    if list(warnings.filters) != s["warnings"]:
        changed.append("warnings")
        warnings.filters[:] = s["warnings"]
        warnings._filters_mutated()
    if "rc" in s:
        import matplotlib

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if dict(matplotlib.rcParams) != s["rc"]:
                changed.append("matplotlib.rcParams")
                matplotlib.rcParams.clear()
                matplotlib.rcParams.update(s["rc"])
    if "pandas" in s:
        from pandas._config import config

        if config._global_config != s["pandas"]:
            changed.append("pandas options")
            config._global_config.clear()
            config._global_config.update(copy.deepcopy(s["pandas"]))
    if "random" in s:
        import numpy as np

        now = np.random.get_state()
        if any((a != b).any() if hasattr(a, "any") else a != b for a, b in zip(now, s["random"])):
            changed.append("numpy.random")
            np.random.set_state(s["random"])
    changed += _restore_modules(s["modules"])
    return changed


def _restore_modules(recorded: dict) -> list[str]:
    changed = []
    for name, module in _modules().items():
        if name not in recorded:  # first imported by the last unit: from now on, its state is the baseline
            recorded[name] = _record_module(module)
            continue
        names, now = recorded[name], vars(module)
        for k in [k for k in now if not k.startswith("__") and k not in names and (name, k) not in KEEP]:
            changed.append(f"{name}.{k} (added)")
            del now[k]
        for k, (value, items, content) in names.items():
            if now.get(k, _MISSING) is not value:
                changed.append(f"{name}.{k}")
                now[k] = value
            if items is not None and _container_items(value) != items:
                changed.append(f"{name}.{k} (contents)")
                value.clear()
                if isinstance(value, list):
                    value.extend(content)
                else:
                    value.update(content)
    return changed


_MISSING = object()
