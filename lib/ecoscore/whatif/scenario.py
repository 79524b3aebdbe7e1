"""Scenarios: a named set of fact changes (and readings), saved as a YAML file an analyst can read.

A scenario file, in the document's words::

    情景: 江干区优良天数提高到92%
    文件: xx-2020
    说明: 大气办测算
    读法: {}
    改动:
      - 单位: 江干区
        数据项: 二.2:rate          # the fact's key, as in the facts template
        名称: 优良天数比例           # for the reader; not read back
        值: 92

``Scenario.apply`` returns a facts table with the changes made, each value checked against
its fact's domain; ``ecoscore score|render --scenario FILE`` and the workbench use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ecoscore.errors import FactsError, Problem
from ecoscore.spec import Spec
from ecoscore.whatif.session import facts_of, parse_value, with_changes


@dataclass
class Scenario:
    """A named set of changes: ``changes`` maps ``(unit, fact key)`` to a value."""

    name: str
    document: str
    changes: dict[tuple[str, str], object] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)
    note: str = ""
    path: str = ""

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a scenario file; raise ``FactsError`` naming the file and entry when it is malformed."""
        path = Path(path)
        where = path.name
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise FactsError([Problem(where, expected="可读取的情景文件(YAML)", found=e.strerror or str(e))]) from None
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise FactsError([Problem(where, expected="YAML格式的情景文件(UTF-8)",
                                      found=str(e).splitlines()[0][:80])]) from None
        if not isinstance(raw, dict) or "改动" not in raw or "文件" not in raw:
            raise FactsError([Problem(where, expected="含「情景」「文件」「改动」的情景文件", found="缺少这些键")])
        problems, changes = [], {}
        for k, item in enumerate(raw.get("改动") or [], start=1):
            if not isinstance(item, dict) or not {"单位", "数据项", "值"} <= set(item):
                problems.append(Problem(where, row=k, column="改动", expected="含「单位」「数据项」「值」的一项",
                                        found=str(item)[:60]))
                continue
            changes[(str(item["单位"]), str(item["数据项"]))] = item["值"]
        if problems:
            raise FactsError(problems)
        return cls(str(raw.get("情景") or path.stem), str(raw["文件"]), changes,
                   {str(a): str(b) for a, b in (raw.get("读法") or {}).items()}, str(raw.get("说明") or ""), str(path))

    def save(self, path: str | Path, spec: Spec | None = None) -> Path:
        """Write the scenario as YAML (UTF-8); refuses to replace a file that is not a scenario."""
        path = Path(path)
        if path.exists():
            try:
                old = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError, OSError):
                old = None
            if not isinstance(old, dict) or "改动" not in old:
                raise FileExistsError(f"{path} 已存在且不是情景文件,未覆盖")
        labels = {k: f.label for k, f in facts_of(spec).items()} if spec is not None else {}
        data = {"情景": self.name, "文件": self.document, "说明": self.note, "读法": dict(self.readings),
                "改动": [{"单位": u, "数据项": k, "名称": labels.get(k, ""), "值": _plain(v)}
                       for (u, k), v in self.changes.items()]}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        self.path = str(path)
        return path

    def apply(self, spec: Spec, facts: pd.DataFrame) -> pd.DataFrame:
        """Return ``facts`` with the changes made (a copy); every bad change is named at once."""
        where = Path(self.path).name if self.path else f"情景「{self.name}」"
        if self.document != spec.id:
            raise FactsError([Problem(where, column="文件", expected=spec.id, found=self.document)])
        known = facts_of(spec)
        units = set(spec.unit_names) | set(facts.index)
        problems, parsed = [], {}
        for k, ((unit, key), value) in enumerate(self.changes.items(), start=1):
            if unit not in units:
                problems.append(Problem(where, row=k, column="单位", unit=unit, expected=f"本文件的{spec.unit_kind}",
                                        found=unit))
            elif key not in known:
                problems.append(Problem(where, row=k, column="数据项", unit=unit, expected="本文件的数据项",
                                        found=key))
            else:
                try:
                    parsed[(unit, key)] = parse_value(known[key], value, unit=unit, where=where)
                except FactsError as e:
                    problems += [Problem(p.file, row=k, column=p.column, unit=p.unit, expected=p.expected, found=p.found)
                                 for p in e.problems]
        if problems:
            raise FactsError(problems)
        return with_changes(facts, parsed)

    def record(self) -> dict:
        """Return what a scored result keeps of the scenario (its provenance)."""
        text = yaml.safe_dump({"changes": [[u, k, _plain(v)] for (u, k), v in self.changes.items()],
                               "readings": self.readings}, allow_unicode=True, sort_keys=True)
        return {"name": self.name, "note": self.note, "file": Path(self.path).name if self.path else "",
                "changes": len(self.changes), "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def _plain(v):
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v
