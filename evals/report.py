"""Gates (thresholds, baseline) and the three reports: summary.json, report.md, report.html."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .runner import LOWER_IS_BETTER, CaseResult

HERE = Path(__file__).resolve().parent


def gates(
    summary: dict[str, Any], baseline: dict[str, Any] | None, thresholds_path: Path = HERE / "thresholds.yaml"
) -> list[str]:
    """Human-readable failures; empty means the run passes."""
    config = yaml.safe_load(thresholds_path.read_text(encoding="utf-8"))
    bounds = {**config.get("all", {}), **(config.get(summary["llm"]) or {})}
    tolerance = config.get("tolerance", {})
    metrics = summary["metrics"]
    failures: list[str] = []
    for name, bound in bounds.items():
        value = metrics.get(name)
        if value is None:
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{name} = {value} is below its threshold {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{name} = {value} is above its threshold {bound['max']}")
    if baseline:
        for name, old in baseline.get("metrics", {}).items():
            new = metrics.get(name)
            if new is None or old is None:
                continue
            if name.startswith("latency"):
                if new > old * (1 + tolerance.get("latency", 0.5)) and new - old > 5:
                    failures.append(f"{name} regressed: {old} -> {new} ms")
            elif name in LOWER_IS_BETTER:
                if new > old + tolerance.get("rate", 0.02):
                    failures.append(f"{name} regressed: {old} -> {new}")
            elif new < old - tolerance.get("rate", 0.02):
                failures.append(f"{name} regressed: {old} -> {new}")
    return failures


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(
    summary: dict[str, Any],
    results: Sequence[CaseResult],
    baseline: dict[str, Any] | None,
    failures: Sequence[str],
) -> str:
    lines = [
        f"# modelchoice eval: llm={summary['llm']}",
        "",
        f"{summary['cases']} cases, {summary['failed']} failed; gates: "
        + ("**pass**" if not failures else "**FAIL**"),
        "",
        "## Suites",
        "",
        "| suite | cases | passed |",
        "|---|---|---|",
    ]
    for suite, row in summary["per_suite"].items():
        lines.append(f"| {suite} | {row['cases']} | {row['passed']} |")
    if {"retrieval", "retrieval-ru", "extraction"} & set(summary["per_suite"]):
        lines += ["", "Retrieval and extraction are gated on their metrics below, not case by case."]
    lines += ["", "## Metrics", "", "| metric | value | baseline |", "|---|---|---|"]
    old = (baseline or {}).get("metrics", {})
    for name, value in summary["metrics"].items():
        if name.startswith(("extraction_precision_", "extraction_recall_")) and not name.endswith("_min"):
            continue
        lines.append(f"| {name} | {_fmt(value)} | {_fmt(old.get(name))} |")
    metrics = summary["metrics"]
    langs = [(lang, p) for lang, p in (("en", "retrieval"), ("ru", "retrieval_ru")) if f"{p}_mrr" in metrics]
    if langs:  # the same figures as above, side by side per language of the questions and sections
        lines += ["", "## Retrieval by language", "", "| language | recall@3 | MRR |", "|---|---|---|"]
        lines += [
            f"| {lang} | {_fmt(metrics[f'{p}_recall_at_3'])} | {_fmt(metrics[f'{p}_mrr'])} |"
            for lang, p in langs
        ]
    if failures:
        lines += ["", "## Gate failures", ""] + [f"- {f}" for f in failures]
    failed = [r for r in results if not r.passed]
    if failed:
        lines += ["", "## Failed cases", ""]
        for result in failed[:50]:
            lines.append(f"### {result.suite}: {result.case}")
            for check in result.checks:
                if not check.passed:
                    lines.append(f"- **{check.name}**: {check.reason}")
            if result.answer:
                quoted = "\n".join("> " + line for line in result.answer.splitlines()[:12])
                lines += ["", quoted]
            lines.append("")
    return "\n".join(lines) + "\n"


def _chart(summary: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Inline SVG bars for the 0..1 metrics, current vs baseline."""
    old = (baseline or {}).get("metrics", {})
    rows = [
        (k, v, old.get(k))
        for k, v in summary["metrics"].items()
        if isinstance(v, float | int)
        and 0 <= v <= 1
        and not k.startswith("latency")
        and not (k.startswith("extraction_") and not k.endswith("_min"))
    ]
    width, bar, gap, label = 720, 14, 10, 230
    height = len(rows) * (2 * bar + gap) + 20
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="metrics chart">']
    for i, (name, value, base) in enumerate(rows):
        y = 10 + i * (2 * bar + gap)
        scale = width - label - 60
        parts.append(f'<text x="0" y="{y + bar}" font-size="12">{html.escape(name)}</text>')
        parts.append(f'<rect x="{label}" y="{y}" width="{value * scale:.1f}" height="{bar}" fill="#3b82f6"/>')
        parts.append(
            f'<text x="{label + value * scale + 4:.1f}" y="{y + bar - 2}" font-size="11">{value:.3f}</text>'
        )
        if base is not None:
            parts.append(
                f'<rect x="{label}" y="{y + bar}" width="{base * scale:.1f}" height="{bar - 4}" '
                f'fill="#9ca3af"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def html_report(
    summary: dict[str, Any],
    results: Sequence[CaseResult],
    baseline: dict[str, Any] | None,
    failures: Sequence[str],
) -> str:
    md_rows = "".join(
        f"<tr><td>{html.escape(s)}</td><td>{r['cases']}</td><td>{r['passed']}</td></tr>"
        for s, r in summary["per_suite"].items()
    )
    metric_rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in summary["metrics"].items()
    )
    failed = "".join(
        f"<details><summary>{html.escape(r.suite)}: {html.escape(r.case)}</summary><ul>"
        + "".join(
            f"<li><b>{html.escape(c.name)}</b>: {html.escape(c.reason)}</li>"
            for c in r.checks
            if not c.passed
        )
        + f"</ul><pre>{html.escape(r.answer or '')}</pre></details>"
        for r in results
        if not r.passed
    )
    gate = "pass" if not failures else "FAIL: " + "; ".join(failures)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>modelchoice eval</title>
<style>body{{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:4px 8px}}
pre{{white-space:pre-wrap}}</style>
</head><body><h1>modelchoice eval (llm={html.escape(summary["llm"])})</h1>
<p>{summary["cases"]} cases, {summary["failed"]} failed. Gates: {html.escape(gate)}</p>
<h2>Suites</h2><table><tr><th>suite</th><th>cases</th><th>passed</th></tr>{md_rows}</table>
<h2>Metrics</h2><p>Blue: this run; grey: baseline.</p>{_chart(summary, baseline)}
<table><tr><th>metric</th><th>value</th></tr>{metric_rows}</table>
<h2>Failures</h2>{failed or "<p>None.</p>"}</body></html>
"""


def write_all(
    out: Path,
    summary: dict[str, Any],
    results: Sequence[CaseResult],
    baseline: dict[str, Any] | None,
    failures: Sequence[str],
) -> None:
    from .runner import write_jsonl

    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "results.jsonl", results)
    (out / "summary.json").write_text(json.dumps({**summary, "gate_failures": list(failures)}, indent=2))
    (out / "report.md").write_text(markdown(summary, results, baseline, failures))
    (out / "report.html").write_text(html_report(summary, results, baseline, failures))
