"""Crawl the product as each demo persona would: every menu item and every same-site link.

From "/" and the navigation, follow GET links (<a href> and htmx hx-get) breadth-first to
depth 2, at most a few URLs per URL shape (ids collapsed) and ~300 pages per persona, and
check: no 5xx; HTML pages have a non-empty <title>; no Python traceback is shown; following
links never changes state (the audit chain head does not move); every detail link a scoped
persona is shown points at an object inside its scope, and any that does not is not reachable.
"""

import re
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from .conftest import PERSONAS, audit_heads, detail_target, enterprise_ids, object_owner, region_prefix

MAX_DEPTH = 2
MAX_PAGES = 300
# Personas crawled more widely (two URLs per shape); the others see one URL per shape, which
# still opens every kind of page they can reach, at a third of the time.
WIDE = {"taskforce", "ns_inspector", "ent_restaurant"}
# Links never followed: signing out, Django admin, static files, and file downloads/exports
# (fetched once each, size-capped, in test_downloads_do_not_fail).
SKIP_PREFIXES = ("/accounts/logout", "/admin/", "/static/", "/media/", "/api/docs")
DOWNLOAD = re.compile(
    r"(\.(xlsx|pdf|docx|png|jpg|csv|zip)$)|/export|/download|/template|/labels|/notice\.|"
    r"[?&](export|format)=|/evidence/\d+/|/photos/\d+/|/poster/.+\.png|/inspections/\d+/\w+/\d+/$"
)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")
NONE_CELL = re.compile(r"<td[^>]*>\s*None\s*</td>")
POST_FORM = re.compile(r"<form[^>]*method=[\"']post[\"'][^>]*>", re.I)
# POST forms every signed-in user may have: sign out, own notifications, own API token.
PERSONAL_POSTS = re.compile(r"/accounts/logout/|/notifications/|/accounts/profile/token/")
TITLE = re.compile(r"<title>\s*([^<]*?)\s*</title>", re.S)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.fragments: set[str] = set()  # htmx partials: no <title> expected

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
            self.fragments.add(attrs["hx-get"])


FRAGMENTS: set[str] = set()  # URLs seen as htmx hx-get targets (partial HTML)


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.links:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        url = urldefrag(urljoin("http://testserver" + base, href))[0]
        parts = urlsplit(url)
        if parts.netloc not in ("testserver", ""):
            continue
        link = parts.path + (f"?{parts.query}" if parts.query else "")
        if href in parser.fragments:
            FRAGMENTS.add(link)
        out.append(link)
    return out


def shape(url: str) -> str:
    path = urlsplit(url).path
    return "/".join("*" if re.search(r"[\d_]", seg) else seg for seg in path.split("/"))


def crawl(client, username: str, start: list[str]):
    per_shape = 2 if username in WIDE else 1
    """Breadth-first crawl; returns (pages {url: (status, depth, from)}, links seen, downloads)."""
    pages: dict[str, tuple[int, int, str]] = {}
    seen_links: dict[str, str] = {}
    downloads: dict[str, str] = {}
    problems: list[str] = []
    none_cells: Counter = Counter()
    shapes: Counter = Counter()
    queue = deque((url, 0, "(start)") for url in start)
    queued = set(start)
    while queue and len(pages) < MAX_PAGES:
        url, depth, origin = queue.popleft()
        fragment = url in FRAGMENTS
        response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if fragment else {}))
        status = response.status_code
        pages[url] = (status, depth, origin)
        if status >= 500:
            problems.append(f"{status} server error: {url} (from {origin})")
            continue
        if status in (301, 302, 303, 307, 308):
            target = response.headers.get("Location", "")
            if "/accounts/login" in target:
                problems.append(f"login redirect for a signed-in user: {url} (from {origin})")
            next_links = [target]
        elif status >= 400:
            problems.append(f"{status} on a link shown to the user: {url} (from {origin})")
            continue
        else:
            ctype = response.headers.get("Content-Type", "")
            if getattr(response, "streaming", False) or "html" not in ctype:
                continue
            html = response.content.decode("utf-8", "replace")
            title = TITLE.search(html)
            if not fragment and (not title or not title.group(1).strip()):
                problems.append(f"no <title>: {url}")
            if TRACEBACK.search(html):
                problems.append(f"traceback shown: {url}")
            forms = [f for f in POST_FORM.findall(html) if not PERSONAL_POSTS.search(f)]
            if forms:
                none_cells[("post-forms", url)] = len(forms)
            n_none = len(NONE_CELL.findall(html))
            if n_none:
                none_cells[url] = n_none
            next_links = links_of(html, url)
        for link in next_links:
            path = urlsplit(link).path
            if path.startswith(SKIP_PREFIXES):
                continue
            seen_links.setdefault(link, url)
            if DOWNLOAD.search(link):
                downloads.setdefault(link, url)
                continue
            if depth + 1 > MAX_DEPTH or link in queued:
                continue
            if shapes[shape(link)] >= per_shape:
                continue
            shapes[shape(link)] += 1
            queued.add(link)
            queue.append((link, depth + 1, url))
    return pages, seen_links, downloads, problems, none_cells


# Known defects: filtered out of the per-persona assertions and kept visible, each by its own
# strict xfail test (it turns red when the defect is fixed: then delete the entry).
# (id, personas or None for any, regex over the problem text, reason / likely owner)
KNOWN_DEFECTS: list[tuple[str, set[str] | None, str, str]] = []


def _known(username: str, problem: str):
    for defect_id, personas, pattern, _ in KNOWN_DEFECTS:
        if (personas is None or username in personas) and re.search(pattern, problem):
            return defect_id
    return None


def _scope_problems(demo_city, username, pages, seen) -> list[str]:
    """Detail links to objects outside the persona's scope: a leak if reachable, else dangling."""
    prefix = region_prefix(username)
    if username == "admin":
        return []
    mine = enterprise_ids(username, demo_city) if prefix is None else set()
    client = None
    out = []
    for link, origin in sorted(seen.items()):
        target = detail_target(urlsplit(link).path)
        if target is None:
            continue
        owner = object_owner(*target)
        if owner is None:
            continue
        regions, enterprises = owner
        region_code = regions[0]
        if any(r.startswith(prefix) for r in regions) if prefix else bool(enterprises & mine):
            continue
        status = pages.get(link, (None,))[0]
        if status is None:
            client = client or demo_city.client(username)
            status = client.get(link).status_code
        what = f"{link} ({target[0]} region {region_code}) linked from {origin}"
        if status != 404:
            out.append(f"LEAK: out-of-scope object opens ({status}): {what}")
        else:
            out.append(f"link to an out-of-scope object (404): {what}")
    return out


@pytest.fixture(scope="module")
def crawls(demo_city, django_db_blocker):
    """Each persona's crawl, done once per module (a crawl only reads)."""
    from gasguard.core.navigation import navigation_for

    results = {}
    with django_db_blocker.unblock():
        for username in PERSONAS:
            client = demo_city.client(username)
            menu = [
                link["url"]
                for section in navigation_for(demo_city.users[username])
                for link in section["links"]
            ]
            before = audit_heads()
            t0 = time.perf_counter()
            pages, seen, downloads, problems, none_cells = crawl(client, username, ["/", *menu])
            after = audit_heads()
            problems += _scope_problems(demo_city, username, pages, seen)
            results[username] = {
                "pages": pages,
                "seen": seen,
                "downloads": downloads,
                "problems": problems,
                "none_cells": none_cells,
                "menu": menu,
                "seconds": round(time.perf_counter() - t0, 1),
                "audit_moved": {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v},
            }
    return results


@pytest.mark.parametrize("username", PERSONAS)
def test_crawl_finds_no_new_defect(crawls, username):
    """No 5xx, <title> everywhere, no traceback, no broken link, no out-of-scope detail link."""
    result = crawls[username]
    assert len(result["pages"]) > 5, f"{username} reached only {list(result['pages'])}"
    unknown = [p for p in result["problems"] if not _known(username, p)]
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("username", PERSONAS)
def test_crawl_never_leaks_another_scope(crawls, username):
    """Even known dangling links must not open: an out-of-scope detail page is always 404."""
    leaks = [p for p in crawls[username]["problems"] if p.startswith("LEAK")]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("username", PERSONAS)
def test_crawl_changes_no_state(crawls, username):
    """Following links (GET) never writes an audit event."""
    assert not crawls[username]["audit_moved"], crawls[username]["audit_moved"]


@pytest.mark.parametrize(
    "defect_id",
    [pytest.param(d[0], marks=pytest.mark.xfail(strict=True, reason=d[3])) for d in KNOWN_DEFECTS],
)
def test_known_defect_is_fixed(crawls, defect_id):
    """Red (xfail) while the defect reproduces; XPASS (strict: fails) once fixed — then delete it."""
    hits = [
        f"{username}: {p}"
        for username, result in crawls.items()
        for p in result["problems"]
        if _known(username, p) == defect_id
    ]
    assert not hits, "\n".join(hits[:20])


def test_report_none_cells(crawls):
    """Report only: table cells that literally show "None" (a missing `|default:'—'`)."""
    lines = [
        f"{username}: {url} ({n} cells)"
        for username, result in crawls.items()
        for url, n in result["none_cells"].items()
        if not isinstance(url, tuple)
    ]
    if lines:
        print("\nTable cells showing 'None':\n" + "\n".join(sorted(set(lines))))


@pytest.mark.parametrize("username", ["taskforce", "ns_inspector", "ent_gas"])
def test_downloads_do_not_fail(crawls, demo_city, django_db_blocker, username):
    """Every download/export link shown opens without an error (one per URL shape)."""
    result = crawls[username]
    bad, done = [], set()
    with django_db_blocker.unblock():
        client = demo_city.client(username)
        for link, origin in sorted(result["downloads"].items()):
            key = shape(link) + ("?export" if "export=" in link else "")
            if key in done:
                continue
            done.add(key)
            response = client.get(link)
            if response.status_code >= 400:
                bad.append(f"{response.status_code} {link} (from {origin})")
    assert not bad, "\n".join(bad)


def test_readonly_leader_sees_no_write_form(crawls):
    """Report only (the refusal itself is pinned in test_readonly_leader): pages that show the
    read-only leader a POST form (create / edit / action buttons it cannot use)."""
    pages = sorted(key[1] for key in crawls["leader"]["none_cells"] if isinstance(key, tuple))
    if pages:
        print("\nPOST forms shown to the read-only leader:\n" + "\n".join(pages))


def test_crawl_covered_enough(crawls):
    sizes = {u: (len(r["pages"]), r["seconds"]) for u, r in crawls.items()}
    print("\npages crawled per persona (pages, seconds):", sizes)
    assert sizes["taskforce"][0] >= 40
