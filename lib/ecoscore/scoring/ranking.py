"""Ranks, computed once: only where the document compares units, within groups of like units.

A spec's ``ranking`` says what units are ranked by (``basis: total`` or ``none``) and whether
the document itself ranks them (``kind: document``) or the position is only descriptive
(``kind: descriptive``, labelled as such wherever it is shown). Units rank within their
``rank_group`` (a district is never ranked with its own departments). A unit under a veto
(合格否决) is placed after every unit without one, and the summary flags it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecoscore.spec import Spec

RANK_COLUMNS = ["rank", "rank_of", "rank_group"]


def rank(spec: Spec, s: pd.DataFrame) -> pd.DataFrame:
    """Return ``rank`` (1 = best; NaN where units are not ranked), ``rank_of`` (the size of the
    unit's rank group) and ``rank_group`` for each row of the summary ``s``.
    """
    groups = {u.name: u.rank_group or "" for u in spec.units}
    peer = s["unit"].map(groups).fillna("")
    out = pd.DataFrame({"rank": np.nan, "rank_of": 0, "rank_group": peer.to_numpy()}, index=s.index)
    if spec.ranking.basis == "none":
        return out
    key = s[spec.ranking.basis].astype(float)
    vetoed = s["vetoed"].astype(bool)
    for _, idx in peer.groupby(peer).groups.items():
        k, v = key.loc[idx], vetoed.loc[idx]
        clear = k[~v].rank(ascending=False, method="min")
        under_veto = k[v].rank(ascending=False, method="min") + int((~v).sum())
        out.loc[idx, "rank"] = pd.concat([clear, under_veto]).reindex(idx)
        out.loc[idx, "rank_of"] = int(k.notna().sum())
    return out
