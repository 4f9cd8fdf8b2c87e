import json
import os
import subprocess
import sys

from support.paths import EXE, ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_recommend_json_is_exactly_one_object():
    result = run("recommend", "examples/bank-credit-scoring.yaml", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # fails on any extra output
    assert data["recommendation"] == "custom"
    assert data["hybrid_patterns"] == []
    assert {"scores", "confidence", "fired_rules", "counterfactuals", "missing"} <= set(data)


def test_recommend_from_stdin_with_set_overrides():
    result = run(
        "recommend",
        "-",
        "--set",
        "labeled_data=none",
        "--set",
        "ml_team=yes",
        "--json",
        stdin="data_type: image\ntask: narrow\n",
    )
    data = json.loads(result.stdout)
    assert data["recommendation"] == "hybrid"
    assert data["hybrid_patterns"][0] == "fm_labeling"


def test_recommend_empty_profile():
    data = json.loads(run("recommend", "-", "--json", stdin="").stdout)
    assert data["recommendation"] == "custom"
    assert data["missing"]


def test_recommend_human_output_has_reasons_sources_and_changes():
    out = run("recommend", "examples/support-chatbot-prototype.yaml").stdout
    assert "Recommendation: a foundation model" in out
    assert "[when-foundation" in out
    assert "Why" in out


def test_bad_input_is_one_clear_line_without_traceback(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("privacy: secret\n")
    cases = [
        (run("recommend", str(bad)), "privacy: 'secret' is not allowed; use none | sensitive | strict"),
        (run("recommend", "--set", "colour=red"), "unknown field 'colour'"),
        (run("recommend", str(tmp_path / "missing.yaml")), "cannot read the profile file"),
        (run("recommend", "-", stdin="[1, 2"), "not valid YAML"),
    ]
    for result, needle in cases:
        assert result.returncode == 2
        assert needle in result.stderr
        assert "Traceback" not in result.stderr


def test_broken_rules_file_names_rule_and_field(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        (ROOT / "knowledge" / "rules.yaml").read_text().replace("{privacy: strict}", "{privacy: strictt}")
    )
    result = run("--rules", str(rules), "recommend", "--json")
    assert result.returncode == 2
    assert "rule 'strict-privacy': when.privacy: 'strictt' is not a value of privacy" in result.stderr


def test_rules_check_passes_and_fails(tmp_path):
    ok = run("rules", "check")
    assert ok.returncode == 0 and "0 errors" in ok.stdout
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        (ROOT / "knowledge" / "rules.yaml").read_text()
        + """
- id: contradicts-open-ended
  when: {task: open_ended}
  effect: {exclude: foundation}
  reason: Contradiction on purpose.
  sources: [fm-cons]
"""
    )
    bad = run("--rules", str(rules), "rules", "check")
    assert bad.returncode == 1
    assert "rule 'contradicts-open-ended': effect: contradicts rule 'open-ended-task'" in bad.stdout


def test_knowledge_flag_adds_to_the_environment(tmp_path):
    """Rules may cite sections from MODELCHOICE_KNOWLEDGE and from --knowledge: the flag adds to the env."""
    for name in ("env-dir", "flag-dir"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "policy.md").write_text(f"## Policy {{#{name}-policy}}\nOur own guidance.\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        (ROOT / "knowledge" / "rules.yaml").read_text()
        + """
- id: company-policy
  when: {privacy: strict}
  effect: {favor: custom, weight: 1}
  reason: Company policy.
  sources: [env-dir-policy, flag-dir-policy]
"""
    )
    env = {**os.environ, "MODELCHOICE_KNOWLEDGE": str(tmp_path / "env-dir"), "MODELCHOICE_RULES": str(rules)}

    def check(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [EXE, *flags, "rules", "check"], capture_output=True, text=True, env=env, timeout=60
        )

    assert check("--knowledge", str(tmp_path / "flag-dir")).returncode == 0
    alone = check()
    assert alone.returncode == 2 and "flag-dir-policy" in alone.stderr


def test_recommend_stays_light():
    """`recommend` must not import the heavy stacks (torch, chromadb, gradio, langchain)."""
    code = (
        "import sys; from assistant.cli import main\n"
        "try:\n main(['recommend','examples/bank-credit-scoring.yaml','--json'])\n"
        "except SystemExit: pass\n"
        "heavy=[m for m in ('torch','chromadb','gradio','langchain_core','sentence_transformers','openai')"
        " if m in sys.modules]\nprint('HEAVY', heavy, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "HEAVY []" in result.stderr
