"""`huddle serve` in a real browser: headless Chromium, driven by selenium, against a
server started as a person would start it, on a set-up service with passwords set.

One server and one browser for the module; each test opens its own tab, so each runs its
own app process, as each person at a browser does. Skipped only where Chromium and its
driver are not installed on this machine (CI installs them: .ci/run).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser import Browser, have_chromium, hosts

# .ci/run installs Chromium and sets HUDDLE_REQUIRE_BROWSER, so CI fails rather than skips.
pytestmark = pytest.mark.skipif(
    not have_chromium() and not os.environ.get("HUDDLE_REQUIRE_BROWSER"),
    reason="needs Chromium and chromedriver (/usr/bin/chromium, /usr/bin/chromedriver: "
    "apt-get install chromium chromium-driver)",
)

EXAMPLE = Path(__file__).parent.parent / "docs" / "service.example.toml"
PASSWORD = "correct horse battery staple"
PERSON = "Jess Armitage"
DISPLAY = "Room 2 wall screen"
"""A display account (read_only in the service file) for the meeting room."""


@dataclass
class Served:
    url: str
    db: Path
    process: subprocess.Popen[bytes]


def huddle(*argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "huddle", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            with urlopen(url, timeout=1) as page:
                if page.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"huddle serve did not answer at {url}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    db = folder / "service.db"
    # The example service and a display account for the meeting room's wall screen.
    service = folder / "service.toml"
    service.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        + f'\n[[people]]\nname = "{DISPLAY}"\nrole = "Meeting room display"\n'
        'provider = "Prime Community Trust"\nread_only = true\n',
        encoding="utf-8",
    )
    huddle("setup", "apply", str(service), "--yes", "--db", str(db))
    for name in (PERSON, DISPLAY):
        huddle(
            "--user", PERSON, "user", "password", name, "--stdin", "--db", str(db), stdin=PASSWORD
        )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "huddle", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
        yield Served(url, db, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[Browser]:
    # On `served`: the browser closes its tabs before the server stops.
    started = Browser.start()
    yield started
    started.quit()


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[Browser]:
    """A tab of its own (its own app process), closed afterwards."""
    browser.new_tab(served.url)
    yield browser
    browser.driver.close()
    browser.driver.switch_to.window(browser.driver.window_handles[0])


def sign_in(tab: Browser, name: str, password: str) -> None:
    tab.wait_for_text("Sign in to huddle")
    # In one burst, as a password manager types: Enter moves to the password as it
    # arrives, so nothing typed after it lands in the name.
    tab.type(name, Keys.ENTER, password, Keys.ENTER)


def audit(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(sql, params).fetchall()
    conn.close()
    return rows


def tab_processes(db: Path) -> set[int]:
    """The app processes serving tabs on this database (one per open tab)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--served" in argv and str(db).encode() in argv and b"huddle" in argv:
            found.add(int(entry.name))
    return found


def test_the_sign_in_page_loads_asking_no_other_host(browser: Browser, served: Served) -> None:
    browser.requested_urls()  # forget what came before
    browser.open(served.url)
    screen = browser.wait_for_text("Sign in to huddle")
    assert "Prime Community Rapid Response" in screen
    # Nothing of the service is on screen before signing in.
    assert "Breached" not in screen and "Actions" not in screen
    assert hosts(browser.requested_urls()) == {served.url.split("/")[2]}


def test_a_wrong_password_is_refused_in_words(tab: Browser, served: Served) -> None:
    before = audit(served.db, "SELECT count(*) FROM audit")
    sign_in(tab, "Jess", "not the password")
    tab.wait_for_text(f"wrong password for {PERSON}")
    assert "Sign in to huddle" in tab.text()
    assert audit(served.db, "SELECT count(*) FROM audit") == before


def test_keys_record_an_action_audited_as_the_person_and_another_tab_sees_it(
    browser: Browser, served: Served
) -> None:
    title = f"Browser action {uuid.uuid4().hex[:8]}"
    browser.new_tab(served.url)
    first = browser.driver.current_window_handle
    sign_in(browser, "jess", PASSWORD)
    browser.wait_for_text("Breached")  # Today
    browser.type("4")
    browser.wait_for_text("Actions")

    browser.new_tab(served.url)
    second = browser.driver.current_window_handle
    sign_in(browser, "Jess Armitage", PASSWORD)
    browser.wait_for_text("Breached")
    browser.type("4")
    browser.wait_for_text("Actions")

    browser.driver.switch_to.window(first)
    browser.type("a")
    browser.wait_for_text("New action")
    for field in (title, "Grace", "+7d"):
        browser.type(field, Keys.ENTER)
        time.sleep(0.3)  # as in sign_in: the next field takes keys once focused
    browser.type(Keys.ENTER)
    browser.wait_for(lambda text: "New action" not in text, "the form closed")

    rows = audit(
        served.db,
        "SELECT audit.actor, audit.via FROM audit JOIN action ON audit.row_id = action.id "
        "WHERE audit.table_name = 'action' AND action.title = ?",
        title,
    )
    assert rows == [(PERSON, "password")]

    started = time.monotonic()
    browser.driver.switch_to.window(second)
    browser.wait_for_text(title, timeout=5)
    print(f"second tab saw it in {time.monotonic() - started:.1f}s")

    for handle in (second, first):
        browser.driver.switch_to.window(handle)
        browser.driver.close()
    browser.driver.switch_to.window(browser.driver.window_handles[0])


def test_a_display_session_shows_today_and_cannot_write(tab: Browser, served: Served) -> None:
    before = audit(served.db, "SELECT count(*) FROM audit")
    sign_in(tab, DISPLAY, PASSWORD)
    screen = tab.wait_for_text("DISPLAY — read-only")
    assert "Breached" in screen
    tab.type("a", "4", "7", "d")
    time.sleep(1)
    screen = tab.text()
    assert "New action" not in screen and "Breached" in screen
    assert audit(served.db, "SELECT count(*) FROM audit") == before


def test_closing_a_tab_ends_its_process(browser: Browser, served: Served) -> None:
    before = tab_processes(served.db)
    browser.new_tab(served.url)
    browser.wait_for_text("Sign in to huddle")
    opened = tab_processes(served.db) - before
    assert len(opened) == 1
    browser.driver.close()
    browser.driver.switch_to.window(browser.driver.window_handles[0])
    deadline = time.monotonic() + 10
    while opened & tab_processes(served.db) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not opened & tab_processes(served.db)
