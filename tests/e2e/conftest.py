"""Browser-test fixtures: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).

Playwright's own browser download does not work on these machines, so the system Chromium is
launched by path. Screenshots go to test-results/<test name>/.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GASGUARD_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parent.parent.parent / "test-results"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver per session (the sync API allows only one per thread)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def shots(request):
    """shots(page, "step-name") saves a screenshot under test-results/<test>/."""
    folder = RESULTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def _shot(page, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def new_page(browser, live_server):
    """new_page(phone=False) opens a fresh browser context on the live server."""
    contexts = []

    def _new(*, phone: bool = False):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=phone,
            has_touch=phone,
            base_url=live_server.url,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def browser_login(new_page):
    """browser_login(username, password, phone=False) returns a signed-in page."""

    def _login(username: str, password: str, *, phone: bool = False):
        return sign_in(new_page(phone=phone), username, password)

    return _login


def sign_in(page, username: str, password: str):
    """Submit the login form on `page` and wait until it has left the login page."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page
