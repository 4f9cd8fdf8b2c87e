"""modelchoice: foundation model, custom model, or hybrid? The rules decide; the LLM explains."""

from .engine import Decision, decide
from .profile import FIELDS, Profile, ProfileError

__all__ = ["FIELDS", "Decision", "Profile", "ProfileError", "decide"]
