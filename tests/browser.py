"""Headless Chromium driven by selenium, for the tests of `huddle serve`.

The page draws the terminal with xterm.js on a canvas (WebGL or 2D), so its text is not
in the DOM. Before any page script runs, a hook records each object textual.js stores as
`.terminal` (its xterm.js Terminal); the screen's text is then read from that terminal's
buffer, which is exactly what the browser shows. Keys are typed into xterm's own input
element, as a person's keys are.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# textual.js keeps its terminal as `this.terminal` on an object of its own; a setter on
# Object.prototype sees that assignment (the object has no such property of its own yet)
# and keeps the terminal where the test can read it, then steps aside.
CAPTURE_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && value.buffer.active) window.__terminals.push(value);
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""

SCREEN_TEXT = """
const terminal = window.__terminals[window.__terminals.length - 1];
if (!terminal) return null;
const buffer = terminal.buffer.active;
const lines = [];
for (let row = 0; row < terminal.rows; row++) {
  const line = buffer.getLine(buffer.viewportY + row);
  lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--window-size=1600,1000",
)


def have_chromium() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


class Browser:
    def __init__(self, driver: webdriver.Chrome, profile: Path) -> None:
        self.driver = driver
        self.profile = profile

    @classmethod
    def start(cls) -> Browser:
        profile = Path(tempfile.mkdtemp(prefix="huddle-chromium-"))
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        # Every request the browser makes, from DevTools' network events.
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_TERMINAL}
        )
        return cls(driver, profile)

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, url: str) -> None:
        # A smaller font gives the app the columns its footer needs in a laptop's window.
        self.driver.get(f"{url}?fontsize=12")

    def new_tab(self, url: str) -> str:
        self.driver.switch_to.new_window("tab")
        # The hook is per target: a new tab needs it too.
        self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_TERMINAL}
        )
        self.open(url)
        return self.driver.current_window_handle

    def text(self) -> str:
        return self.driver.execute_script(SCREEN_TEXT) or ""

    def wait_for(self, seen: Callable[[str], bool], what: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if seen(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"not on screen after {timeout}s: {what}\n--- screen ---\n{text}")

    def wait_for_text(self, words: str, timeout: float = 15.0) -> str:
        return self.wait_for(lambda text: words in text, repr(words), timeout)

    def keyboard(self) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")

    def type(self, *keys: str) -> None:
        self.keyboard().send_keys(*keys)

    def requested_urls(self) -> list[str]:
        """Every URL the browser asked for since the last call (pages, scripts, fonts,
        websockets), from DevTools' network events."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                urls.append(params["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                urls.append(params["url"])
        return urls


def hosts(urls: list[str]) -> set[str]:
    """The host:port each URL asked over the network (not data:, blob: or the browser's
    own chrome: pages)."""
    network = ("http", "https", "ws", "wss")
    return {urlsplit(url).netloc for url in urls if urlsplit(url).scheme in network}
