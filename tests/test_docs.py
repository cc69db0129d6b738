"""The README stays true: its test command is what CI runs, and every command is in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huddle.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    demo, tests = quick_start_commands()
    assert demo.endswith("huddle demo")
    assert tests.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


@pytest.mark.parametrize("command", [name for name in COMMANDS if name])
def test_every_command_is_documented_and_has_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert f"huddle {command}" in README
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert "--db" in capsys.readouterr().out
