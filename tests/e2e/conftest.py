"""Real headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

Without a browser the e2e tests skip with a loud reason on a developer's machine; under CI=true a
missing browser fails the run, so a browser test can never pass by not running.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = f"No Chromium at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)."
        if _running_in_ci():
            pytest.fail(message + " Browser tests may not skip under CI.")
        pytest.skip("BROWSER TESTS NOT RUN — " + message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by fixtures
    # in the same thread are still synchronous and safe.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a page in a fresh browser context (its own cookies), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in():
    def do(page, username: str, password: str = "demo"):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=signed-in-as]", state="attached")

    return do


# The elements reaching past the right edge of the window, outermost first: what makes a page scroll sideways.
WIDER_THAN_WINDOW = """() => [...document.body.querySelectorAll("*")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((element) => !element.closest("[data-overflow-contained]"))
  .slice(0, 4)
  .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`
       + ` (${Math.round(element.getBoundingClientRect().right)} px)`)"""


def save_screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
