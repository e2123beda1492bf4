"""A class at once: judge every claims file of a folder (in worker processes), then the grade
table (CSV), Gradescope's autograder ``results.json`` and the class summary — for each claim how
many got it right, for each named mistake how many made it.

Everything here reads plain ``Grade`` records, so the output is the same for any ``jobs`` and any
order the workers finish in; one file that cannot be read is listed and never stops the others.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Network
from .judge import UNJUDGED, Result
from .render import render_text

SUFFIXES = (".yaml", ".yml")
UNNAMED = ("unexplained", "factor_differs")  # facts, not mistakes: counted apart


@dataclass(frozen=True)
class ClaimGrade:
    index: int
    line: int | None
    about: str
    example: int
    verdict: str
    credited: bool
    points: float
    of: float
    mistakes: tuple[str, ...]  # diagnosis ids
    quantity: str = ""  # what it is about, however written (∂E/∂w5 and dE/dw5 are one)

    @property
    def key(self) -> tuple[str, int]:
        """The claim across students: the quantity it is about (a skipped claim shifts no other)."""
        return (self.quantity or self.about, self.example)


@dataclass
class Grade:
    """One student's file: its claims' grades, or why it could not be read."""

    file: str
    student: str
    claims: list[ClaimGrade] = field(default_factory=list)
    error: str | None = None
    report: str = ""  # the feedback at the chosen level (text)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.claims)

    @property
    def total(self) -> float:
        return sum(c.of for c in self.claims)


def grade_of(result: Result, feedback: str) -> Grade:
    work = result.work
    claims = [ClaimGrade(v.claim.index, v.claim.line, v.claim.about_text, v.claim.example + 1, v.verdict,
                         v.credited, v.points, v.claim.points, tuple(d.id for d in v.diagnoses),
                         _quantity(v.claim.about)) for v in result.verdicts]
    return Grade(work.file, work.student or Path(work.file).stem, claims,
                 report=render_text(result, feedback))


def _quantity(q) -> str:
    if q is None:
        return ""
    return f"{q.kind} {q.sign} {q.num} {q.den} {q.steps} {q.mean}"


def claims_files(folder: str | Path) -> list[Path]:
    """Every claims file under ``folder``, in a fixed order."""
    root = Path(folder)
    return sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES),
                  key=lambda p: p.relative_to(root).as_posix())


# -- judging, in worker processes ----------------------------------------------------------------
_NETWORK: Network | None = None


def _init(network: Network) -> None:
    global _NETWORK
    _NETWORK = network


def _grade_one(args: tuple[str, str]) -> Grade:
    path, feedback = args
    return grade_file(_NETWORK, path, feedback)


def grade_file(network: Network, path: str | Path, feedback: str = "full") -> Grade:
    """One file's grade; a file that is not a claims file gets its reason, not an exception."""
    from .judge import check

    try:
        return grade_of(check(network, str(path)), feedback)
    except InputError as exc:
        return Grade(str(path), Path(path).stem, error=exc.format_message())
    except RecursionError:
        return Grade(str(path), Path(path).stem, error=f"{path}: the file is nested too deeply to read")
    except Exception as exc:  # noqa: BLE001 — one student's file never stops the class
        return Grade(str(path), Path(path).stem, error=f"{path}: could not be judged ({type(exc).__name__}: {exc})")


def grade_folder(network: Network, folder: str | Path, jobs: int = 1, feedback: str = "full") -> list[Grade]:
    """Judge every claims file under ``folder`` (``jobs`` processes); grades in file order."""
    files = [str(p) for p in claims_files(folder)]
    if not files:
        raise InputError("no claims files (*.yaml, *.yml) in this folder", str(folder))
    if jobs <= 1 or len(files) == 1:
        return [grade_file(network, f, feedback) for f in files]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(network,)) as pool:
        return list(pool.map(_grade_one, [(f, feedback) for f in files], chunksize=max(1, len(files) // (4 * jobs))))


# -- outputs --------------------------------------------------------------------------------------
CSV_COLUMNS = ["student", "file", "claim", "about", "example", "line", "verdict", "credited", "points", "of",
               "mistakes"]


def grades_csv(grades: list[Grade]) -> str:
    """One row per student and claim (a file that could not be read: one row with its reason)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for g in grades:
        if g.error is not None:
            writer.writerow([g.student, g.file, "", "", "", "", f"file not read: {g.error}", "false", 0, 0, ""])
        for c in g.claims:
            writer.writerow([g.student, g.file, c.index, c.about, c.example, c.line or "", c.verdict,
                             str(c.credited).lower(), f"{c.points:g}", f"{c.of:g}", " ".join(c.mistakes)])
    return out.getvalue()


def gradescope(grade: Grade) -> dict:
    """Gradescope's autograder results.json for one submission: one test per claim."""
    if grade.error is not None:
        return {"score": 0, "output": f"Your file could not be read: {grade.error}", "tests": [],
                "visibility": "visible"}
    tests = [{"name": f"#{c.index} {c.about}" + (f" (example {c.example})" if c.example != 1 else ""),
              "score": c.points, "max_score": c.of, "status": "passed" if c.credited else "failed",
              "output": _claim_output(grade, c), "visibility": "visible"} for c in grade.claims]
    return {"score": grade.score, "output": grade.report, "tests": tests, "visibility": "visible"}


def _claim_output(grade: Grade, claim: ClaimGrade) -> str:
    """The report's lines about one claim (at the feedback level the report was written at)."""
    lines, keep = [], False
    for line in grade.report.splitlines():
        if line[:1] in "✓✗→?" and " #" in line[:4]:
            keep = line.split(" ", 2)[1] == f"#{claim.index}"
        if keep and line.strip():
            lines.append(line.strip())
    return "\n".join(lines)


def gradescope_json(grades: list[Grade]) -> str:
    """One submission: its results.json; a class: {file: results.json} for each submission."""
    if len(grades) == 1:
        return json.dumps(gradescope(grades[0]), indent=2, ensure_ascii=False) + "\n"
    return json.dumps({g.file: gradescope(g) for g in grades}, indent=2, ensure_ascii=False) + "\n"


def summary(grades: list[Grade], network: Network, folder: str) -> str:
    """The instructor's view: scores, per claim how many got it right, per mistake how many made it."""
    from .diagnoses import DIAGNOSES

    read = [g for g in grades if g.error is None]
    out = [f"derive check: {len(grades)} claims files in {folder} against {network.name}", ""]
    if read:
        scores = sorted(g.score for g in read)
        mean = sum(scores) / len(scores)
        median = scores[len(scores) // 2] if len(scores) % 2 else (scores[len(scores) // 2 - 1] +
                                                                    scores[len(scores) // 2]) / 2
        totals = sorted({g.total for g in read})
        of = f"{totals[0]:g}" if len(totals) == 1 else f"{totals[0]:g}–{totals[-1]:g}"
        full = sum(1 for g in read if g.score == g.total)
        out.append(f"scores: mean {mean:.1f}, median {median:g}, min {scores[0]:g}, max {scores[-1]:g} of {of}; "
                   f"{full} of {len(read)} all right")
    order: dict[tuple, str] = {}  # key → the label: the first way a student wrote it
    right, judged, unjudged = Counter(), Counter(), Counter()
    students, claims = Counter(), Counter()
    for g in read:
        made = set()
        for c in g.claims:
            order.setdefault(c.key, c.about + (f" [example {c.example}]" if c.example != 1 else ""))
            if c.verdict == UNJUDGED:
                unjudged[c.key] += 1
                continue
            judged[c.key] += 1
            right[c.key] += c.credited
            for mistake in c.mistakes:
                claims[mistake] += 1
                made.add(mistake)
        students.update(made)
    if order:
        width = max(len(label) for label in order.values())
        out += ["", "per claim (right / judged):"]
        for key, label in order.items():
            n = judged[key]
            share = f"{100 * right[key] / n:3.0f} %" if n else "  — "
            extra = f", {unjudged[key]} could not be judged" if unjudged[key] else ""
            out.append(f"  {label:<{width}}  {right[key]:>4} / {n:<4} {share}{extra}")
    named = {m: n for m, n in students.items() if m not in UNNAMED}
    if named:
        out += ["", "named mistakes (students who made it; claims):"]
        for mistake, n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0])):
            title = DIAGNOSES[mistake].title if mistake in DIAGNOSES else mistake
            out.append(f"  {n:>4}  {mistake:<32} {title} ({claims[mistake]} claim{'s' if claims[mistake] != 1 else ''})")
    unnamed = sum(claims[m] for m in UNNAMED)
    if unnamed:
        where = claims["factor_differs"]
        out += ["", f"wrong claims no registered mistake explains: {unnamed} "
                    f"({where} of them with the first factor that differs named)"]
    failed = [g for g in grades if g.error is not None]
    if failed:
        out += ["", f"files that could not be read ({len(failed)}):"]
        out += [f"  {g.error}" for g in failed]
    return "\n".join(out) + "\n"
