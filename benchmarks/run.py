"""`python -m benchmarks [--quick] [--sizes SMALL,LARGE] [--runs N]`: make the data, take every
sample in a fresh process, print the table of issue #9.

Every figure is a ratio against a baseline measured in the same run, or a median of
several runs: the machines are shared and noisy. Samples of a figure and of its baseline
are taken in turn (baseline, small, large, baseline, ...) so that a slow spell of the
machine falls on all of them, and one round of the app's samples is run first and thrown
away so that no figure pays for a cold file cache or compiling bytecode.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from statistics import median
from time import perf_counter
from typing import Any

from benchmarks.data import TODAY, demo_database, service_database, write_extract

ROOT = Path(__file__).resolve().parent.parent
PROBE_TIMEOUT_SECONDS = 900


class BenchmarkError(RuntimeError):
    """A sample that could not be taken: the command and what it said."""


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, int]  # waiting-list entries: the small baseline and the large figure
    runs: int  # samples of each figure, medians taken
    import_rows: int
    decisions: int
    import_runs: int = 3  # an import sample of 100,000 rows takes seconds: fewer of them
    warm_up: bool = True  # one round of samples first, thrown away


FULL = Settings(sizes=(100, 1_000_000), runs=7, import_rows=100_000, decisions=50)
QUICK = Settings(sizes=(100, 10_000), runs=3, import_rows=10_000, decisions=20, import_runs=2)


@dataclass(frozen=True)
class Measurements:
    """Medians of every sample, in seconds, kilobytes or rows per second."""

    settings: Settings
    empty_app_s: float
    first_page_s: dict[int, float]
    page_down_s: dict[int, float]
    filter_s: float
    peak_rss_kb: dict[int, int]
    status_s: float
    import_sqlite_s: float
    help_s: float
    python_s: float
    textual_imported_by: tuple[str, ...]
    import_rows_per_s: float
    bare_rows_per_s: float
    decision_s: float
    bare_commit_s: float

    @property
    def small(self) -> int:
        return self.settings.sizes[0]

    @property
    def large(self) -> int:
        return self.settings.sizes[1]

    @property
    def first_page_vs_empty(self) -> float:
        return self.first_page_s[self.large] / self.empty_app_s

    @property
    def first_page_vs_small(self) -> float:
        return self.first_page_s[self.large] / self.first_page_s[self.small]

    @property
    def page_down_vs_small(self) -> float:
        return self.page_down_s[self.large] / self.page_down_s[self.small]

    @property
    def memory_vs_small(self) -> float:
        return self.peak_rss_kb[self.large] / self.peak_rss_kb[self.small]

    @property
    def status_vs_sqlite(self) -> float:
        return self.status_s / self.import_sqlite_s

    @property
    def help_vs_python(self) -> float:
        return self.help_s / self.python_s

    @property
    def import_vs_bare(self) -> float:
        return self.import_rows_per_s / self.bare_rows_per_s


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _environment() -> dict[str, str]:
    """This environment without huddle's own settings, so no sample reads a real database
    or the real date by accident; HUDDLE_TODAY pins the commands to the data's date."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    env["HUDDLE_TODAY"] = TODAY.isoformat()
    # A person of every benchmark database's staff: whoever runs a command is one.
    env["HUDDLE_USER"] = "Helen Marsden"
    return env


def _run(argv: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_SECONDS,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BenchmarkError(f"{' '.join(argv)} exited {done.returncode}: " + " | ".join(tail))
    return done


def probe(name: str, **arguments: object) -> dict[str, Any]:
    """One sample from benchmarks/probe.py, in its own interpreter."""
    command = [sys.executable, "-m", "benchmarks.probe", name, json.dumps(arguments)]
    return json.loads(_run(command, cwd=ROOT).stdout.splitlines()[-1])


def wall_seconds(argv: list[str], cwd: Path) -> float:
    """The whole process, as a person at a terminal waits for it."""
    started = perf_counter()
    _run(argv, cwd=cwd)
    return perf_counter() - started


def imports_textual(argv: list[str], cwd: Path) -> bool:
    """Whether the command loads textual, from `python -X importtime`'s report."""
    done = _run([sys.executable, "-X", "importtime", *argv], cwd=cwd)
    modules = (line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines())
    return any(module.split(".")[0] == "textual" for module in modules)


def huddle_command() -> str:
    """The `huddle` console script installed beside this interpreter (pip install -e .)."""
    script = Path(sys.executable).with_name("huddle")
    if not script.exists():
        raise BenchmarkError(f"no huddle command at {script}: install the project first")
    return str(script)


def in_turn(
    samplers: dict[str, Callable[[], Any]], runs: int, *, warm_up: bool = False
) -> dict[str, list[Any]]:
    """`runs` samples of each, taken in turn; with `warm_up`, one more round first, unused."""
    samples: dict[str, list[Any]] = {name: [] for name in samplers}
    for round_number in range(runs + warm_up):
        for name, sampler in samplers.items():
            value = sampler()
            if round_number >= warm_up:
                samples[name].append(value)
    return samples


def measure(settings: Settings, say: Callable[[str], None] = _say) -> Measurements:
    """Every figure, on data made in a temporary folder that is deleted afterwards."""
    small, large = settings.sizes
    with tempfile.TemporaryDirectory(prefix="huddle-benchmarks-") as tmp:
        folder = Path(tmp)
        dbs = {}
        for size in (small, large):
            say(f"generating the demo service with {size:,} entries")
            dbs[size] = demo_database(folder, size, _progress(say, size))
        huddle = huddle_command()

        say("command start-up and the textual check")
        help_argv = [huddle, "--help"]
        status_argv = [huddle, "status", "--json", "--db", str(dbs[large])]
        textual_imported_by = tuple(
            " ".join(["huddle", *argv[1:2]])
            for argv in (help_argv, status_argv)
            if imports_textual(argv, folder)
        )
        times = in_turn(
            {
                "help": lambda: wall_seconds(help_argv, folder),
                "python": lambda: wall_seconds([sys.executable, "-c", "pass"], folder),
                "status": lambda: wall_seconds(status_argv, folder),
                "sqlite": lambda: wall_seconds([sys.executable, "-c", "import sqlite3"], folder),
            },
            settings.runs,
            warm_up=settings.warm_up,
        )

        say("the waiting-list screen")
        today = TODAY.isoformat()
        app = in_turn(
            {
                "empty": lambda: probe("empty_app"),
                "small": lambda: probe("waiting_list", db=str(dbs[small]), today=today),
                "large": lambda: probe("waiting_list", db=str(dbs[large]), today=today),
            },
            settings.runs,
            warm_up=settings.warm_up,
        )

        say(f"importing {settings.import_rows:,} rows")
        import_rows_per_s, bare_rows_per_s = _import_rates(folder, settings)

        say("recording decisions")
        recorded = probe("decisions", db=str(dbs[large]), count=settings.decisions)

    by_size = {small: app["small"], large: app["large"]}

    def app_median(size: int, key: str) -> float:
        return median(sample[key] for sample in by_size[size])

    return Measurements(
        settings=settings,
        empty_app_s=median(sample["first_page_s"] for sample in app["empty"]),
        first_page_s={size: app_median(size, "first_page_s") for size in (small, large)},
        # The slowest page-down of each sample is the one that had to read more rows.
        page_down_s={
            size: median(max(sample["page_down_s"]) for sample in by_size[size])
            for size in (small, large)
        },
        filter_s=app_median(large, "filter_s"),
        peak_rss_kb={size: int(app_median(size, "peak_rss_kb")) for size in (small, large)},
        status_s=median(times["status"]),
        import_sqlite_s=median(times["sqlite"]),
        help_s=median(times["help"]),
        python_s=median(times["python"]),
        textual_imported_by=textual_imported_by,
        import_rows_per_s=import_rows_per_s,
        bare_rows_per_s=bare_rows_per_s,
        decision_s=median(recorded["recorded_s"]),
        bare_commit_s=median(recorded["bare_commit_s"]),
    )


def _progress(say: Callable[[str], None], size: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if size >= 100_000:
            say(f"  {done:,} of {total:,}")

    return report


def _import_rates(folder: Path, settings: Settings) -> tuple[float, float]:
    """Median rows per second of `huddle import waiting-list` and of the bare executemany,
    each into a fresh copy of the same empty service."""
    template = service_database(folder / "service.db")
    extract = write_extract(folder / "extract.csv", settings.import_rows)

    def fresh(name: str) -> Path:
        path = folder / name
        shutil.copyfile(template, path)
        return path

    imported, bare = [], []
    for _ in range(settings.import_runs):
        target = fresh("imported.db")
        done = probe(
            "import_extract", db=str(target), extract=str(extract), today=TODAY.isoformat()
        )
        imported.append(done["rows"] / done["seconds"])
        plain = fresh("bare.db")
        done = probe("bare_insert", source=str(target), db=str(plain))
        bare.append(done["rows"] / done["seconds"])
        for path in (target, plain):
            path.unlink()
    return median(imported), median(bare)


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    measured_as: str
    target: str
    result: str
    verdict: str


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def figures(m: Measurements) -> list[Figure]:
    small, large = f"{m.small:,}", f"{m.large:,}"
    textual = (
        "textual not imported"
        if not m.textual_imported_by
        else "TEXTUAL IMPORTED by " + ", ".join(m.textual_imported_by)
    )
    return [
        Figure(
            "waiting-list screen, time to first painted page",
            f"at {large} entries / an empty Textual app, headless, same run",
            "<= 2.0",
            f"{m.first_page_vs_empty:.1f} ({_ms(m.first_page_s[m.large])} / {_ms(m.empty_app_s)})",
            _verdict(m.first_page_vs_empty <= 2.0),
        ),
        Figure(
            "the same, size independence",
            f"at {large} / at {small} entries",
            "<= 1.2",
            f"{m.first_page_vs_small:.2f} ({_ms(m.first_page_s[m.large])} / "
            f"{_ms(m.first_page_s[m.small])})",
            _verdict(m.first_page_vs_small <= 1.2),
        ),
        Figure(
            "one page-down on the list",
            f"at {large} / at {small} entries",
            "<= 1.2",
            f"{m.page_down_vs_small:.2f} ({_ms(m.page_down_s[m.large])} / "
            f"{_ms(m.page_down_s[m.small])})",
            _verdict(m.page_down_vs_small <= 1.2),
        ),
        Figure(
            'filter to "breached, tier 2" and re-sort',
            f"at {large} entries, wall",
            "< 100 ms",
            _ms(m.filter_s),
            _verdict(m.filter_s < 0.1),
        ),
        Figure(
            "peak memory of the app",
            f"at {large} / at {small} entries",
            "<= 1.3",
            f"{m.memory_vs_small:.2f} ({m.peak_rss_kb[m.large] / 1024:,.0f} MB / "
            f"{m.peak_rss_kb[m.small] / 1024:,.0f} MB)",
            _verdict(m.memory_vs_small <= 1.3),
        ),
        Figure(
            "`huddle status --json`",
            f'at {large} entries, whole process / `python -c "import sqlite3"`',
            "report; target under 1 s wall",
            f"{m.status_vs_sqlite:.1f} ({_ms(m.status_s)} / {_ms(m.import_sqlite_s)})",
            _verdict(m.status_s < 1.0),
        ),
        Figure(
            "command start-up",
            "`huddle --help` / `python -c pass`, whole process",
            "<= 4 (commands that do not open the TUI do not import textual)",
            f"{m.help_vs_python:.1f} ({_ms(m.help_s)} / {_ms(m.python_s)}); {textual}",
            _verdict(m.help_vs_python <= 4 and not m.textual_imported_by),
        ),
        Figure(
            "waiting-list import",
            f"rows per second for {m.settings.import_rows:,} rows / a bare `sqlite3` "
            "`executemany` of the same rows into the same table",
            ">= 0.3",
            f"{m.import_vs_bare:.2f} ({m.import_rows_per_s:,.0f} / "
            f"{m.bare_rows_per_s:,.0f} rows/s)",
            _verdict(m.import_vs_bare >= 0.3),
        ),
        Figure(
            "one recorded decision (synchronous=FULL, audit row included)",
            f"median latency (of {m.settings.decisions}, at {large} entries)",
            "report; under 20 ms",
            f"{m.decision_s * 1000:.1f} ms (a bare one-row commit: "
            f"{m.bare_commit_s * 1000:.1f} ms)",
            _verdict(m.decision_s < 0.02),
        ),
        Figure(
            "trigger evaluation",
            "100 metrics x 3 years of daily data",
            "report (python -m benchmarks oversight)",
            "see the oversight section of docs/benchmarks.md",
            "—",
        ),
    ]


def table(m: Measurements) -> str:
    lines = [
        "| figure | measured as | target | measured | |",
        "|---|---|---|---|---|",
        *(
            f"| {f.name} | {f.measured_as} | {f.target} | {f.result} | {f.verdict} |"
            for f in figures(m)
        ),
    ]
    return "\n".join(lines)


def machine() -> str:
    """What the run ran on, for the record beside the table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        gib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
        memory = f", {gib:.0f} GiB RAM"
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def main(argv: list[str] | None = None) -> int:
    from benchmarks import actions, oversight

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Generate demo data, measure huddle against the limits of issue #9 and "
        "print the table (Markdown); with `actions`, the Actions screen's table instead, "
        "with `oversight`, trigger evaluation's. "
        "Progress goes to stderr.",
    )
    parser.add_argument(
        "what",
        nargs="?",
        choices=["actions", "oversight"],
        help="actions: the time to open the Actions screen and filter it at "
        f"{actions.FULL.sizes[1]:,} (and {actions.FULL.sizes[2]:,}) extra actions against "
        f"{actions.FULL.sizes[0]}; oversight: trigger evaluation at "
        f"{oversight.FULL.metrics} metrics x {oversight.FULL.days // 365} years of daily data",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes and fewer runs (sizes {QUICK.sizes[0]},{QUICK.sizes[1]}, "
        f"{QUICK.runs} runs, {QUICK.import_rows:,} import rows; actions: "
        f"{','.join(str(n) for n in actions.QUICK.sizes)}, {actions.QUICK.runs} runs; "
        f"oversight: {oversight.QUICK.metrics} metrics x {oversight.QUICK.days // 365} year): "
        "a minute, not ten",
    )
    parser.add_argument(
        "--sizes",
        metavar="SMALL,LARGE",
        help=f"waiting-list entries of the baseline and of the measured list "
        f"(default {FULL.sizes[0]},{FULL.sizes[1]}); actions: extra actions of the baseline "
        f"and of one or more measured sizes (default "
        f"{','.join(str(n) for n in actions.FULL.sizes)}); oversight: METRICS,YEARS "
        f"(default {oversight.FULL.metrics},{oversight.FULL.days // 365})",
    )
    parser.add_argument("--runs", type=int, metavar="N", help="samples of each figure")
    args = parser.parse_args(argv)
    if args.what == "oversight":
        return oversight.main(args, parser.error)
    if args.what == "actions":
        chosen: Settings | actions.ActionSettings = actions.QUICK if args.quick else actions.FULL
    else:
        chosen = QUICK if args.quick else FULL
    if args.sizes:
        try:
            sizes = tuple(int(part.replace("_", "")) for part in args.sizes.split(","))
        except ValueError:
            parser.error(f"--sizes takes whole numbers, SMALL,LARGE, not {args.sizes!r}")
        if len(sizes) != 2 and not (args.what == "actions" and len(sizes) > 2):
            parser.error("--sizes takes two numbers, SMALL,LARGE (actions: two or more)")
        if sizes[0] <= 0 or any(a >= b for a, b in zip(sizes, sizes[1:], strict=False)):
            parser.error("--sizes: SMALL must be above 0 and each size above the one before")
        chosen = replace(chosen, sizes=sizes)
    if args.runs is not None:
        if args.runs < 1:
            parser.error("--runs must be 1 or more")
        chosen = replace(chosen, runs=args.runs)
    started = datetime.now().astimezone()
    try:
        if isinstance(chosen, actions.ActionSettings):
            measured_actions = actions.measure_actions(chosen)
        else:
            measured = measure(chosen)
    except BenchmarkError as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    print(f"Run {started:%Y-%m-%d %H:%M %Z} on {machine()}")
    if isinstance(chosen, actions.ActionSettings):
        print(actions.sizes_line(measured_actions))
        print()
        print(actions.table(measured_actions))
        print()
        print("\n".join(actions.overdue_lines(measured_actions)))
        return 0 if measured_actions.overdue_agrees else 1
    print(f"Medians of {chosen.runs} runs (import: {chosen.import_runs}).")
    print()
    print(table(measured))
    return 0
