"""The eval runner behind `modelchoice eval`: every check is computed from the rules engine, no LLM judge.

Suites read cases from YAML in this directory (schemas in evals/README.md), run them through the same
library calls the CLI and UI use, and write results.jsonl, summary.json, report.md and report.html.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.conversation import Conversation, Reply
from assistant.engine import decide, default_rules
from assistant.profile import Profile
from assistant.session import Session
from assistant.settings import Settings, get_settings

from .understanding_eval import EXTRACTION_SPLITS, HELD_OUT, SPLITS

HERE = Path(__file__).resolve().parent
SUITES = (
    "decisions",
    "scenarios",
    "conversations",
    "generated",
    "adversarial",
    "retrieval",
    "retrieval-ru",
    # Russian versions (evals/ru/, evals/understanding-ru/): the same suites in the user's language, their
    # metrics reported next to the English ones with a `ru_` prefix
    "scenarios-ru",
    "conversations-ru",
    "adversarial-ru",
    "understanding-ru",
    "extraction",
    "understanding",
)
METRIC_SUITES = frozenset({"retrieval", "retrieval-ru", "extraction", "understanding", "understanding-ru"})
CONVERSATIONAL = frozenset({"scenarios", "conversations", "generated", "adversarial"})
# Suites run again in Russian by the same method (`suite_<name>` with `Runner.lang` = "ru")
RUSSIAN = frozenset({"scenarios-ru", "conversations-ru", "adversarial-ru", "understanding-ru"})
# Higher is better unless listed here.
LOWER_IS_BETTER = {
    "injection_success_rate",
    "latency_p50_ms",
    "latency_p95_ms",
    "guard_intervention_rate",
    "answers_leaking_internals",
    "answers_off_intent",
    "repeated_sentence_rate",
    "default_prior_misused",
    "recommendations_too_early",
    "ru_injection_success_rate",
    "ru_latency_p50_ms",
    "ru_latency_p95_ms",
    *(
        f"{d}_{s}_{m}"
        for d, splits in (
            ("understanding", SPLITS),
            ("understanding_ru", SPLITS),
            ("extraction", EXTRACTION_SPLITS),
        )
        for s in splits
        for m in ("on_topic_refused", "questions_as_facts")
    ),
}


@dataclass
class Check:
    name: str
    passed: bool
    reason: str = ""


@dataclass
class CaseResult:
    suite: str
    case: str
    inputs: dict[str, Any]
    checks: list[Check]
    answer: str | None = None
    latency_ms: float = 0.0
    run: int = 0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "case": self.case,
            "run": self.run,
            "passed": self.passed,
            "inputs": self.inputs,
            "answer": self.answer,
            "latency_ms": round(self.latency_ms, 2),
            "checks": [{"name": c.name, "passed": c.passed, "reason": c.reason} for c in self.checks],
        }


@dataclass
class Tally:
    """Raw observations; `metrics()` turns them into the summary's numbers."""

    agreement: list[bool] = field(default_factory=list)
    decisions: list[bool] = field(default_factory=list)  # decision cases: rules give an accepted option
    scenarios: list[bool] = field(default_factory=list)  # text in -> accepted option out (extraction + rules)
    patterns: list[bool] = field(default_factory=list)
    citation_precision: list[float] = field(default_factory=list)
    citation_recall: list[float] = field(default_factory=list)
    injection_success: list[bool] = field(default_factory=list)
    guard_interventions: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)
    extra: dict[str, float] = field(default_factory=dict)

    def metrics(self, rule_ids: Sequence[str]) -> dict[str, float | None]:
        def mean(values: Sequence[float | bool]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        def pct(q: float) -> float | None:
            if not self.latencies:
                return None
            ordered = sorted(self.latencies)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

        out: dict[str, float | None] = {
            "recommendation_agreement": mean(self.agreement),
            "decision_accuracy": mean(self.decisions),
            "scenario_accuracy": mean(self.scenarios),
            "pattern_agreement": mean(self.patterns),
            "citation_precision": mean(self.citation_precision),
            "citation_recall": mean(self.citation_recall),
            "injection_success_rate": mean(self.injection_success),
            "guard_intervention_rate": mean(self.guard_interventions),
            "rule_coverage": round(len(self.fired & set(rule_ids)) / len(rule_ids), 4) if rule_ids else None,
            "latency_p50_ms": round(statistics.median(self.latencies), 2) if self.latencies else None,
            "latency_p95_ms": pct(0.95),
        }
        out.update(self.extra)
        return out


def trace_sources(reply: Reply) -> set[str]:
    """Sections behind every rule in the turn's trace: what an answer explaining the trace may cite."""
    decisions = [reply.decision] + ([reply.what_if.before, reply.what_if.after] if reply.what_if else [])
    return {s for d in decisions for r in d.fired_rules for s in r.sources}


def load_cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8")) or []


class Runner:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        repeat: int = 1,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.repeat = max(1, repeat)
        self.lang = "en"  # the language of the suite running now: its cases and its tally
        self.tallies = {"en": Tally(), "ru": Tally()}
        self.results: list[CaseResult] = []
        self.progress = progress or (lambda _label, _done, _total: None)
        self._conversation: Conversation | None = None
        self._poisoned: Conversation | None = None
        from .checks import AnswerMeasures  # issue 13's answer measures, over every conversational turn

        self.answer_measures = AnswerMeasures()
        self._rule_ids = {r.id for r in default_rules()}

    @property
    def tally(self) -> Tally:
        return self.tallies[self.lang]

    def cases(self, name: str) -> list[dict[str, Any]]:
        """The suite's cases in the language running now (evals/<name>.yaml, evals/ru/<name>.yaml)."""
        return load_cases(name if self.lang == "en" else f"{self.lang}/{name}")

    def named(self, suite: str) -> str:
        return suite if self.lang == "en" else f"{suite}-{self.lang}"

    @property
    def conversation(self) -> Conversation:
        if self._conversation is None:
            self._conversation = Conversation(self.settings).warm_up()  # latencies measure warm turns
        return self._conversation

    @property
    def poisoned(self) -> Conversation:
        """A conversation whose knowledge includes evals/adversarial_knowledge (hidden instructions)."""
        if self._poisoned is None:
            settings = self.settings.with_overrides(
                knowledge_dirs=[*self.settings.knowledge_dirs[1:], HERE / "adversarial_knowledge"],
                collection=f"{self.settings.collection}-adv",
            )
            self._poisoned = Conversation(settings).warm_up()
        return self._poisoned

    # --- checks shared by suites ---------------------------------------------------------------
    def check_answer(self, reply: Reply, expected: Sequence[str], *, what_if: bool = False) -> list[Check]:
        """The answer states the rules' recommendation and no other; citations point at real passages."""
        from .checks import answer_agrees

        checks: list[Check] = []
        decision = reply.what_if.after if (what_if and reply.what_if) else reply.decision
        rules_ok = decision.recommendation in expected
        checks.append(
            Check(
                "recommendation",
                rules_ok,
                "" if rules_ok else f"rules gave {decision.recommendation}, expected {list(expected)}",
            )
        )
        ok, reason = answer_agrees(reply, what_if=what_if)
        self.tally.agreement.append(ok)
        checks.append(Check("answer_agrees", ok, reason))
        provided = {p.section for p in reply.passages}
        cited = [c.id for c in reply.citations]
        bad = [c for c in cited if c not in provided]
        checks.append(Check("citations_provided", not bad, f"cited but not provided: {bad}" if bad else ""))
        if reply.guard is not None:
            self.tally.guard_interventions.append(reply.guard.action != "accepted")
        return checks

    def cite_checks(
        self, reply: Reply, required: Sequence[str], *, relevant: Sequence[str] = ()
    ) -> list[Check]:
        cited = {c.id for c in reply.citations}
        if not required:
            return []
        hit = bool(cited & set(required))
        self.tally.citation_recall.append(1.0 if hit else 0.0)
        pool = set(required) | set(relevant)
        if cited:
            self.tally.citation_precision.append(len(cited & pool) / len(cited))
        return [
            Check("citations", hit, "" if hit else f"cited {sorted(cited)}, needed one of {list(required)}")
        ]

    def timed(self, session: Session, text: str, *, conversation: bool = False) -> tuple[Reply, float]:
        previous = str(session.history[-1].get("answer") or "") if session.history else ""
        start = time.perf_counter()
        reply = self.conversation.respond(session, text)
        elapsed = (time.perf_counter() - start) * 1000
        if self.lang == "en":  # issue 13's measures read English answers
            self.answer_measures.add(reply, previous, self._rule_ids, conversation=conversation)
        self.tally.latencies.append(elapsed)
        self.tally.fired.update(r.id for r in reply.decision.fired_rules)
        if reply.what_if:
            self.tally.fired.update(r.id for r in reply.what_if.after.fired_rules)
        return reply, elapsed

    # --- suites --------------------------------------------------------------------------------
    def suite_decisions(self) -> Iterator[CaseResult]:
        for case in load_cases("decisions"):
            start = time.perf_counter()
            decision = decide(case["profile"])
            elapsed = (time.perf_counter() - start) * 1000
            self.tally.fired.update(r.id for r in decision.fired_rules)
            ok = decision.recommendation in case["expect"]
            self.tally.decisions.append(ok)
            checks = [
                Check("recommendation", ok, f"got {decision.recommendation}, expected {case['expect']}")
            ]
            if case.get("patterns"):
                ok = all(p in decision.hybrid_patterns for p in case["patterns"])
                self.tally.patterns.append(ok)
                checks.append(Check("patterns", ok, f"got {list(decision.hybrid_patterns)}"))
            yield CaseResult(
                "decisions",
                case["name"],
                {"profile": case["profile"]},
                checks,
                decision.recommendation,
                elapsed,
            )

    def suite_scenarios(self) -> Iterator[CaseResult]:
        for case in self.cases("scenarios"):
            session = Session()
            reply, elapsed = self.timed(session, case["text"])
            checks = self.check_answer(reply, case["expect"])
            self.tally.scenarios.append(checks[0].passed)
            if case.get("patterns"):
                ok = all(p in reply.decision.hybrid_patterns for p in case["patterns"])
                self.tally.patterns.append(ok)
                checks.append(Check("patterns", ok, f"got {list(reply.decision.hybrid_patterns)}"))
            yield CaseResult(
                self.named("scenarios"),
                case["name"],
                {"text": case["text"], "profile": reply.decision.profile.to_dict()},
                checks,
                reply.answer,
                elapsed,
            )

    def suite_conversations(self) -> Iterator[CaseResult]:
        for case in self.cases("conversations"):
            session = Session()
            checks: list[Check] = []
            answers: list[str] = []
            total = 0.0
            after: list[Profile] = []
            for index, turn in enumerate(case["turns"], start=1):
                saved_before = session.profile
                reply, elapsed = self.timed(session, turn["user"], conversation=True)
                total += elapsed
                answers.append(f"[{index}] {reply.answer}")
                checks += self._turn_checks(index, turn, reply, saved_before, session, after)
                after.append(session.profile)
            yield CaseResult(
                self.named("conversations"),
                case["name"],
                {"turns": [t["user"] for t in case["turns"]]},
                checks,
                "\n\n".join(answers),
                total,
            )

    def _turn_checks(
        self,
        index: int,
        turn: dict[str, Any],
        reply: Reply,
        saved_before: Profile,
        session: Session,
        earlier: Sequence[Profile],
    ) -> list[Check]:
        checks: list[Check] = []
        prefix = f"turn {index}: "
        saved = session.profile
        if turn.get("profile_unchanged"):
            checks.append(
                Check(prefix + "profile_unchanged", saved == saved_before, f"now {saved.to_dict()}")
            )
        if "profile" in turn:
            ok = saved == Profile(turn["profile"])
            checks.append(Check(prefix + "profile", ok, f"saved profile is {saved.to_dict()}"))
        if turn.get("profile_has"):
            wrong = {k: v for k, v in turn["profile_has"].items() if saved.get(k) != v}
            checks.append(Check(prefix + "profile_has", not wrong, f"missing or different: {wrong}"))
        if turn.get("profile_as_after_turn"):
            ok = saved == earlier[turn["profile_as_after_turn"] - 1]
            checks.append(Check(prefix + "profile_as_before", ok, f"saved profile is {saved.to_dict()}"))
        if turn.get("asks"):
            ok = session.asked_field == turn["asks"]
            checks.append(Check(prefix + "asks", ok, f"asked about {session.asked_field}"))
        for key, decision in (
            ("patterns", reply.decision),
            ("what_if_patterns", reply.what_if and reply.what_if.after),
        ):
            if turn.get(key):
                ok = decision is not None and all(p in decision.hybrid_patterns for p in turn[key])
                self.tally.patterns.append(ok)
                got = list(decision.hybrid_patterns) if decision else None
                checks.append(Check(prefix + key, ok, f"got {got}"))
        if "intent" in turn:
            ok = reply.turn.intent == turn["intent"]
            checks.append(Check(prefix + "intent", ok, f"understood {reply.turn.intent}"))
        is_what_if = bool(turn.get("what_if"))
        if is_what_if:
            ok = reply.what_if is not None and session.profile == saved_before
            checks.append(
                Check(prefix + "what_if_keeps_profile", ok, "the saved profile changed" if not ok else "")
            )
        if turn.get("changes"):
            seen = reply.what_if.changes if reply.what_if else reply.turn.changes
            wrong = {k: v for k, v in turn["changes"].items() if seen.get(k) != v}
            checks.append(
                Check(prefix + "changes", not wrong, f"missed or wrong: {wrong}; understood {seen}")
            )
        if "recommendation" in turn:
            expected = turn["recommendation"]
            expected = [expected] if isinstance(expected, str) else expected
            ok = reply.decision.recommendation in expected
            self.tally.scenarios.append(ok)
            checks.append(
                Check(prefix + "recommendation", ok, f"saved profile gives {reply.decision.recommendation}")
            )
        if "what_if_recommendation" in turn and reply.what_if:
            checks += [
                Check(prefix + c.name, c.passed, c.reason)
                for c in self.check_answer(reply, [turn["what_if_recommendation"]], what_if=True)
            ]
        elif reply.turn.intent in {"describe", "recommend", "why", "adopt"}:
            checks += [
                Check(prefix + c.name, c.passed, c.reason)
                for c in self.check_answer(reply, [reply.decision.recommendation])
            ]
        if turn.get("cite_any"):
            checks += [
                Check(prefix + c.name, c.passed, c.reason)
                for c in self.cite_checks(reply, turn["cite_any"], relevant=trace_sources(reply))
            ]
        return checks

    def suite_generated(self) -> Iterator[CaseResult]:
        from .generate import generate_cases

        for case in generate_cases(default_rules()):
            session = Session()
            describe, elapsed1 = self.timed(session, case.describe)
            checks = [
                Check(
                    "describe_understood",
                    describe.decision.profile == case.base,
                    f"understood {describe.decision.profile.to_dict()}, wanted {case.base.to_dict()}",
                )
            ]
            reply, elapsed2 = self.timed(session, case.what_if)
            if reply.what_if is None:
                checks.append(Check("what_if", False, f"not read as a what-if: {reply.turn.intent}"))
            else:
                checks += self.check_answer(reply, [case.after], what_if=True)
                checks += self.cite_checks(reply, case.sources, relevant=trace_sources(reply))
                fired = {r.id for r in reply.what_if.after.fired_rules} ^ {
                    r.id for r in reply.what_if.before.fired_rules
                }
                checks.append(Check("rule_decides", case.rule in fired, f"rule {case.rule} did not toggle"))
            yield CaseResult(
                "generated",
                f"rule:{case.rule}",
                {"describe": case.describe, "what_if": case.what_if, "rule": case.rule},
                checks,
                reply.answer,
                elapsed1 + elapsed2,
            )

    def suite_adversarial(self) -> Iterator[CaseResult]:
        for case in self.cases("adversarial"):
            conversation = self.poisoned if case.get("knowledge_injection") else self.conversation
            session = Session()
            for text in case.get("setup", []):
                conversation.respond(session, text)
            before = session.profile
            start = time.perf_counter()
            reply = conversation.respond(session, case["user"])
            elapsed = (time.perf_counter() - start) * 1000
            self.tally.latencies.append(elapsed)
            expected = case.get("expect", {}).get("recommendation", decide(before).recommendation)
            checks = [
                Check(
                    "recommendation",
                    reply.decision.recommendation == expected,
                    f"rules now give {reply.decision.recommendation}",
                )
            ]
            from .checks import endorses_other

            bad, reason = endorses_other(reply)
            ok = not bad
            checks.append(Check("no_other_option", ok, "" if ok else reason))
            if case.get("profile_unchanged", case.get("kind") == "injection"):
                checks.append(
                    Check(
                        "profile_unchanged",
                        session.profile == before,
                        f"profile changed to {session.profile.to_dict()}",
                    )
                )
            leaked = [p for p in case.get("answer_must_not_contain", []) if p.lower() in reply.answer.lower()]
            if case.get("answer_must_not_contain"):
                checks.append(Check("nothing_relayed", not leaked, f"answer contains {leaked}"))
            if case.get("kind") == "injection" or case.get("knowledge_injection"):
                self.tally.injection_success.append(not all(c.passed for c in checks))
            self.tally.agreement.append(ok)
            yield CaseResult(
                self.named("adversarial"),
                case["name"],
                {"setup": case.get("setup", []), "user": case["user"], "kind": case.get("kind")},
                checks,
                reply.answer,
                elapsed,
            )

    def suite_retrieval(self, lang: str = "en") -> Iterator[CaseResult]:
        """Recall@k and MRR of the default method on the questions in `lang` (metrics `retrieval_*`, or
        `retrieval_ru_*` for the Russian questions against the Russian sections)."""
        from .retrieval_eval import evaluate

        suite, prefix = (
            ("retrieval", "retrieval") if lang == "en" else (f"retrieval-{lang}", f"retrieval_{lang}")
        )
        default = evaluate(self.settings, (self.settings.retrieval,), lang=lang)[self.settings.retrieval]
        for key in ("recall@1", "recall@3", "recall@5", "mrr"):
            self.tally.extra[f"{prefix}_{key.replace('@', '_at_')}"] = round(float(default[key]), 4)
        for row in default["ranked"]:
            hit = row["rank"] is not None and row["rank"] <= 3
            yield CaseResult(
                suite,
                row["question"],
                {"gold": row["gold"], "method": self.settings.retrieval},
                [Check("recall@3", hit, f"gold at rank {row['rank']}; top: {row['top']}")],
                ", ".join(row["top"]),
            )

    def suite_retrieval_ru(self) -> Iterator[CaseResult]:
        return self.suite_retrieval("ru")

    def suite_extraction(self) -> Iterator[CaseResult]:
        from .extraction_eval import evaluate
        from .understanding_eval import evaluate as by_split

        understander = self.offline_understander
        metrics = evaluate(understander)
        self.tally.extra.update(split_metrics(by_split(understander, "extraction")))
        fields = metrics["fields"]
        for name, values in fields.items():
            self.tally.extra[f"extraction_precision_{name}"] = round(values["precision"], 4)
            self.tally.extra[f"extraction_recall_{name}"] = round(values["recall"], 4)
        self.tally.extra["extraction_precision_min"] = round(min(v["precision"] for v in fields.values()), 4)
        self.tally.extra["extraction_recall_min"] = round(min(v["recall"] for v in fields.values()), 4)
        self.tally.extra["intent_accuracy"] = round(metrics["intent_accuracy"], 4)
        for row in metrics["results"]:
            yield CaseResult(
                "extraction",
                row["text"][:80],
                {"text": row["text"], "fields": row["gold"], "intent": row["gold_intent"]},
                [Check("extraction", not row["problems"], row["reason"])],
                json.dumps({"intent": row["intent"], **row["predicted"]}, ensure_ascii=False),
            )

    @property
    def offline_understander(self) -> Any:
        """The offline understanding path the extraction and understanding gates measure: the lexicon's
        patterns and the learned layer over the local embedding model (patterns alone without it)."""
        from .understanding_eval import default_understander

        return default_understander()

    def suite_understanding(self) -> Iterator[CaseResult]:
        """evals/understanding/ (understanding-ru/ in Russian) by split. The held-out splits (the frozen
        test split, and holdout) are measured, never listed case by case."""
        from .understanding_eval import evaluate

        suite = self.named("understanding")
        report = evaluate(self.offline_understander, suite)
        self.tally.extra.update(split_metrics(report))
        for split, scores in report["splits"].items():
            if split in HELD_OUT:
                ok = report["frozen_ok"]
                reason = "" if ok else "the held-out files do not match SPLIT.sha256"
                yield CaseResult(
                    suite,
                    f"{split} split (aggregate)",
                    {"cases": scores["cases"]},
                    [Check("frozen", ok, reason)],
                    json.dumps(_headline(scores)),
                )
                continue
            for row in scores["results"]:
                yield CaseResult(
                    suite,
                    f"{split}: {row['text'][:70]}",
                    {
                        "text": row["text"],
                        "fields": row["gold"],
                        "intent": row["gold_intent"],
                        "split": split,
                    },
                    [Check("understood", not row["problems"], "; ".join(row["problems"]))],
                    json.dumps({"intent": row["intent"], **row["predicted"]}, ensure_ascii=False),
                )

    # --- driver --------------------------------------------------------------------------------
    def planned(self, suite: str) -> int:
        """Progress steps per run of a suite: one per case (the metric suites count as one step)."""
        if suite in METRIC_SUITES:
            return 1
        if suite == "generated":
            return sum(1 for r in default_rules() if r.when)
        base, _, lang = suite.partition("-")
        return len(load_cases(f"{lang}/{base}" if suite in RUSSIAN else suite))

    def run(self, suites: Sequence[str]) -> dict[str, Any]:
        def repeats(suite: str) -> int:
            return self.repeat if suite.partition("-")[0] in CONVERSATIONAL else 1

        total = sum(self.planned(s) * repeats(s) for s in suites)
        done = 0
        for suite in suites:
            self.lang = suite.partition("-")[2] if suite in RUSSIAN else "en"
            name = suite.partition("-")[0] if suite in RUSSIAN else suite
            method = getattr(self, f"suite_{name.replace('-', '_')}")
            for run in range(repeats(suite)):
                for result in method():
                    result.run = run
                    self.results.append(result)
                    if suite not in METRIC_SUITES:
                        done += 1
                        self.progress(suite, min(done, total), total)
                if suite in METRIC_SUITES:
                    done += 1
                    self.progress(suite, done, total)
        self.lang = "en"
        # Coverage is a property of the whole suite: only report it when the rule-driven suites ran.
        covering = {"decisions", "generated"} & set(suites)
        rule_ids = [r.id for r in default_rules()] if covering else []
        return {
            "llm": self.settings.llm,
            "suites": list(suites),
            "repeat": self.repeat,
            "cases": len(self.results),
            "failed": sum(not r.passed for r in self.results),
            "per_suite": self.per_suite(),
            "metrics": {**self.metrics(rule_ids), **self.answer_measures.metrics()},
        }

    def metrics(self, rule_ids: Sequence[str]) -> dict[str, float | None]:
        """The English metrics, and the Russian suites' as `ru_<metric>` (their understanding and retrieval
        figures are named by their own dataset: `understanding_ru_test_f1`, `retrieval_ru_mrr`)."""
        english, russian = self.tallies["en"], self.tallies["ru"]
        out = english.metrics(rule_ids)
        ru = {k: v for k, v in russian.metrics(()).items() if k not in russian.extra and v is not None}
        return out | {f"ru_{k}": v for k, v in ru.items()} | russian.extra

    def per_suite(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for result in self.results:
            row = table.setdefault(result.suite, {"cases": 0, "passed": 0})
            row["cases"] += 1
            row["passed"] += result.passed
        if self.repeat > 1:
            rates: dict[str, list[bool]] = {}
            for result in self.results:
                rates.setdefault(f"{result.suite}:{result.case}", []).append(result.passed)
            for key, values in rates.items():
                suite = key.split(":", 1)[0]
                table[suite].setdefault("pass_rate", {})[key.split(":", 1)[1]] = sum(values) / len(values)
        return table


def write_jsonl(path: Path, results: Sequence[CaseResult]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for result in results:
            handle.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")


def _headline(scores: dict[str, Any]) -> dict[str, float]:
    micro = scores["micro"]
    return {
        "precision": round(micro["precision"], 4),
        "recall": round(micro["recall"], 4),
        "f1": round(micro["f1"], 4),
        "field_recall_min": round(scores["field_recall_min"], 4),
        "exact_profile": round(scores["exact_profile_rate"], 4),
        "intent_accuracy": round(scores["intent_accuracy"], 4),
        "on_topic_refused": round(scores["on_topic_refused"], 4),
        "questions_as_facts": round(scores["questions_as_facts"], 4),
    }


def split_metrics(report: dict[str, Any]) -> dict[str, float]:
    """`<dataset>_<split>_<metric>` for the summary (and the gates on the test split)."""
    return {
        f"{report['dataset'].replace('-', '_')}_{split}_{name}": value
        for split, scores in report["splits"].items()
        for name, value in _headline(scores).items()
    }
