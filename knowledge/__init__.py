"""Package data, not code: the shipped rules (`rules.yaml`) and the own-words knowledge sections (`*.md`).

Installed as `assistant.data` so a wheel carries them; domain experts edit the files here.
"""
