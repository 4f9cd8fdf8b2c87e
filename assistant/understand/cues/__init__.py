"""The field cue tables: every profile field's cue phrases, and the order the fields are scanned in.

Where to find a field's cues:
    ml_team, labeled_data, budget       -> resources.py   (what the team brings)
    privacy, external_api_ok, control   -> constraints.py (what the project must respect)
    latency, edge, volume               -> deployment.py  (how the model will run)
    stage, data_type, task              -> project.py     (what is being built)

Within a field the leftmost match wins, then the first cue listed, so specific cues come first. The scan
order below is also the order of the fields in `Turn.changes`.
"""

from __future__ import annotations

from .constraints import CONTROL, EXTERNAL_API_OK, PRIVACY
from .cue import FIXED, Cue, Finder, Negation, cue
from .deployment import EDGE, LATENCY, VOLUME
from .project import DATA_TYPE, STAGE, TASK
from .resources import BUDGET, LABELED_DATA, ML_TEAM

__all__ = ["CUES", "CUES_BY_FIELD", "FIXED", "Cue", "Finder", "Negation", "cue"]

CUES_BY_FIELD: dict[str, tuple[Cue, ...]] = {
    "ml_team": ML_TEAM,
    "labeled_data": LABELED_DATA,
    "stage": STAGE,
    "privacy": PRIVACY,
    "external_api_ok": EXTERNAL_API_OK,
    "latency": LATENCY,
    "edge": EDGE,
    "volume": VOLUME,
    "budget": BUDGET,
    "control": CONTROL,
    "data_type": DATA_TYPE,
    "task": TASK,
}
CUES: tuple[Cue, ...] = tuple(c for cues in CUES_BY_FIELD.values() for c in cues)
