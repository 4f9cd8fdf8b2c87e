"""`modelchoice eval --diff-rules OLD NEW`: which cases change recommendation between two rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.engine import decide
from assistant.profile import Profile
from assistant.rules import RuleSet, load_rules
from assistant.settings import Settings
from assistant.understand import RuleBasedUnderstander

from .generate import generate_cases
from .runner import load_cases


def case_profiles(rules: RuleSet) -> list[tuple[str, Profile]]:
    """Every profile the suite knows: decision cases, scenarios (as extracted) and generated pairs."""
    profiles = [(f"decisions:{c['name']}", Profile(c["profile"])) for c in load_cases("decisions")]
    understander = RuleBasedUnderstander()
    profiles += [
        (f"scenarios:{c['name']}", Profile(understander.understand(c["text"]).changes))
        for c in load_cases("scenarios")
    ]
    for case in generate_cases(rules):
        profiles += [
            (f"generated:{case.rule}:base", case.base),
            (f"generated:{case.rule}:what-if", case.changed),
        ]
    return profiles


def diff_rules(old_path: Path, new_path: Path, settings: Settings) -> list[dict[str, Any]]:
    old = load_rules(old_path, settings.knowledge_dirs)
    new = load_rules(new_path, settings.knowledge_dirs)
    seen: set[Profile] = set()
    changes = []
    for name, profile in case_profiles(old) + case_profiles(new):
        if profile in seen:
            continue
        seen.add(profile)
        before, after = decide(profile, old), decide(profile, new)
        if (before.recommendation, before.hybrid_patterns) != (after.recommendation, after.hybrid_patterns):
            changes.append(
                {
                    "case": name,
                    "profile": profile.to_dict(),
                    "old": before.recommendation,
                    "new": after.recommendation,
                    "old_patterns": list(before.hybrid_patterns),
                    "new_patterns": list(after.hybrid_patterns),
                }
            )
    return changes
