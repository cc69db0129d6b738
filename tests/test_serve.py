"""`huddle serve` without a browser: what it refuses, the command each tab runs, and the
page it hands out (tests/test_serve_browser.py drives a real one)."""

from __future__ import annotations

import re
import shlex
import socket
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from huddle.cli import main
from huddle.serve import HuddleServer, answered_at, bind_refusal, is_loopback, tab_command

EXAMPLE = Path(__file__).parent.parent / "docs" / "service.example.toml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def set_up_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "service.db"
    assert main(["setup", "apply", str(EXAMPLE), "--yes", "--db", str(db)]) == 0
    return db


def test_each_tab_runs_the_app_with_this_python_quoted_for_the_shell() -> None:
    command = tab_command(Path("/srv/huddle data/h.db"), Path("/srv/in box"), 10)
    assert shlex.split(command) == [
        sys.executable,
        "-m",
        "huddle",
        "--db",
        "/srv/huddle data/h.db",
        "--served",
        "--imports",
        "/srv/in box",
        "--idle-minutes",
        "10",
    ]


def test_loopback_is_this_computer_only() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.1.2.3", "huddle.example.nhs.uk", "::"]))


def test_a_port_in_use_is_refused_in_words(
    set_up_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--db", str(set_up_db), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in err and "--port" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("192.0.2.1", "not an address of this computer"),
        ("no-such-host.invalid", "no such address or host name"),
    ],
)
def test_a_host_that_cannot_be_bound_is_refused_in_words(
    set_up_db: Path, capsys: pytest.CaptureFixture[str], host: str, words: str
) -> None:
    public = ["--public-url", "https://huddle.example.nhs.uk"]
    assert main(["serve", "--db", str(set_up_db), "--host", host, "--port", "8000", *public]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_host_other_computers_reach_needs_the_address_their_browsers_use(
    set_up_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(set_up_db), "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--host 0.0.0.0 is reachable from other computers: give --public-url" in err


def test_bind_refusal_is_none_for_a_free_loopback_port() -> None:
    assert bind_refusal("127.0.0.1", free_port()) is None


def test_no_database_and_a_database_with_nobody_to_sign_in_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.db"
    assert main(["serve", "--db", str(missing)]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not missing.exists()

    empty = tmp_path / "empty.db"
    from store import open_store

    open_store(empty, "set-up").close()
    assert main(["serve", "--db", str(empty)]) == 2
    assert "no people to sign in yet" in capsys.readouterr().err


def test_an_imports_folder_that_is_not_there_is_refused(
    set_up_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path / "imports"
    assert main(["serve", "--db", str(set_up_db), "--imports", str(gone)]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_the_names_a_server_answers_to() -> None:
    assert answered_at("http://127.0.0.1:8000", "127.0.0.1", 8000) == {
        "127.0.0.1:8000",
        "localhost:8000",
        "[::1]:8000",
    }
    behind_proxy = answered_at("https://huddle.example.nhs.uk", "127.0.0.1", 8000)
    assert "huddle.example.nhs.uk" in behind_proxy


async def test_the_page_asks_no_other_host_and_other_sites_are_refused() -> None:
    port = free_port()
    server = HuddleServer("true", "127.0.0.1", port)
    async with TestClient(TestServer(await server._make_app(), port=port)) as client:
        page = await client.get("/")
        assert page.status == 200
        html = await page.text()
        # The SVG namespace is a name, never fetched.
        named = set(re.findall(r"(?:https?|wss?)://([^/\"']+)", html)) - {"www.w3.org"}
        assert named == {f"127.0.0.1:{port}"}
        assert f"http://127.0.0.1:{port}/static/fonts/RobotoMono-VariableFont_wght.ttf" in html
        font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
        assert font.status == 200

        # A page of another site open in the same browser, and a name rebound to this
        # computer, cannot open a tab's app.
        elsewhere = await client.get("/ws", headers={"Origin": "https://evil.example"})
        assert elsewhere.status == 403
        rebound = await client.get("/", headers={"Host": f"evil.example:{port}"})
        assert rebound.status == 403
