"""A hostile-input campaign against a running GoLive Desk, from the outside, as a browser and a pipeline.

It signs in, crawls every page it can reach from the home page, then sends every class of hostile input
(tests/hostile_payloads.py: NUL, 1 MB strings, invalid UTF-8, huge and negative numbers, years 1 and 9999,
impossible dates, hostile `next` values, malformed JSON, wrong content types, over-size bodies) to every
form it found, as query strings to every page, and to every operation of the API's schema with a token.
It prints the requests per class, every 5xx, and a verdict: PASS when no request got a 5xx.

It changes data (the forms are submitted with valid values around the hostile one): point it at a demo.

    .venv/bin/python bench/hostile_input.py --url http://127.0.0.1:8000 --username manager --password demo
"""

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile_payloads import (  # noqa: E402  (after the path is set)
    COMMON_FIELD_NAMES,
    FIELD_PAYLOADS,
    QUERY_PAYLOADS,
    RAW_API_BODIES,
    json_value,
)

VALID_BY_KIND = {
    "number": "3",
    "date": "2030-06-01",
    "datetime-local": "2030-06-01T10:00",
    "time": "10:00",
    "email": "someone@example.com",
    "url": "https://example.com/",
}
TEXT_KINDS = {"text", "textarea", "hidden", "url", "email", "search", "password", "common"}
KINDS_BY_PAYLOAD = {
    "huge_number": TEXT_KINDS | {"number"},
    "negative_number": TEXT_KINDS | {"number"},
    "non_ascii_digits": TEXT_KINDS | {"number"},
    "year_1": TEXT_KINDS | {"date", "datetime-local"},
    "year_9999": TEXT_KINDS | {"date", "datetime-local"},
    "impossible_date": TEXT_KINDS | {"date", "datetime-local", "time"},
}
# gunicorn answers these itself, with its own page, before the application sees the request.
REFUSED_BY_HTTP_SERVER = {414, 431}
# Signing out or revoking the campaign's own token would end the campaign, not test anything.
DEFAULT_SKIP = r"/accounts/logout/|/tokens/\d+/revoke/|/admin/|/static/|/media/"


class Page(HTMLParser):
    """The links and forms of one page: each form with its action, method and fields (kind, valid value)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = {
                "action": attributes.get("action", ""),
                "method": attributes.get("method", "get").lower(),
                "fields": {},
                "files": [],
            }
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, attributes)

    def _field(self, tag, attributes):
        fields, name = self._form["fields"], attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attributes or name not in fields:
                    fields[name] = (kind, attributes.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = (kind, attributes.get("value") or VALID_BY_KIND.get(kind, "Valid text"))
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ("textarea", "Valid text")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, ("select", ""))
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if value and (not fields[self._select][1] or "selected" in attributes):
                fields[self._select] = ("select", value)

    def handle_data(self, data):
        if self._form is not None and self._textarea and data.strip():
            self._form["fields"][self._textarea] = ("textarea", data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Campaign:
    def __init__(self, base_url: str, username: str, password: str, skip: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.username, self.password = username, password
        self.skip = re.compile(skip)
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout, follow_redirects=False)
        self.requests: Counter = Counter()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.server_errors: list[str] = []
        self.not_json: list[str] = []
        self.cookies: dict[str, str] = {}
        self.skipped: Counter = Counter()
        self.refused_by_http_server: Counter = Counter()

    # Signing in and sending -------------------------------------------------------------------------

    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def keep_cookies(self, response: httpx.Response) -> None:
        """With DEBUG off the cookies are marked Secure; behind its TLS proxy a browser sends them back, and
        the campaign, talking plain HTTP straight to the application server, keeps them itself."""
        self.cookies.update(response.cookies.items())
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/")
        self.keep_cookies(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": self.password, "csrfmiddlewaretoken": token[1]},
            headers={"Referer": self.base_url + "/accounts/login/"},
        )
        self.keep_cookies(response)
        if response.status_code != 302:
            raise SystemExit(f"Could not sign in as {self.username} (HTTP {response.status_code}).")

    def send(self, payload_class: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        headers = {"Referer": self.base_url + "/", **kwargs.pop("headers", {})}
        if method != "GET" and not path.startswith("/api/"):
            headers["X-CSRFToken"] = self.csrf_token()
        try:
            try:
                response = self.client.request(method, path, headers=headers, **kwargs)
            except httpx.RemoteProtocolError:
                # gunicorn closes a kept-alive connection after refusing an over-long request line; the
                # next request on it fails before reaching the server. Once more on a fresh connection.
                response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.InvalidURL:
            self.skipped[payload_class] += 1  # longer than any client sends; servers refuse such lines
            return None
        except httpx.HTTPError as error:
            self.server_errors.append(f"{method} {path} [{payload_class}] → no answer ({error!r})")
            return None
        self.keep_cookies(response)
        self.requests[payload_class] += 1
        self.statuses[payload_class][response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{method} {path[:120]} [{payload_class}] → {response.status_code}")
        if response.status_code in REFUSED_BY_HTTP_SERVER:
            self.refused_by_http_server[payload_class] += 1
        elif path.startswith("/api/v1/") and not response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            self.not_json.append(f"{method} {path[:120]} [{payload_class}] → {response.status_code}")
        if response.status_code == 302 and "/accounts/login/" in response.headers.get("location", ""):
            self.sign_in()  # a hostile request may have ended the session; the campaign goes on
        return response

    # Crawling -----------------------------------------------------------------------------------------

    def own_path(self, href: str, page_path: str) -> str | None:
        url = urldefrag(urljoin(self.base_url + page_path, href))[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url or self.skip.search(parts.path):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, max_pages: int) -> tuple[list[str], dict]:
        pages, forms, queue, seen = [], {}, ["/"], {"/"}
        while queue and len(pages) < max_pages:
            path = queue.pop(0)
            response = self.send("crawl", "GET", path)
            if response is None or response.status_code != 200:
                continue
            pages.append(path)
            if "html" not in response.headers.get("content-type", ""):
                continue
            page = Page()
            page.feed(response.text)
            for href in page.links:
                target = self.own_path(href, path)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)
            for form in page.forms:
                action = self.own_path(form["action"] or path, path)
                if action is None:
                    continue
                key = (form["method"], urlsplit(action).path, tuple(sorted(form["fields"])))
                forms.setdefault(key, {**form, "action": action})
        return pages, forms

    # Attacks ------------------------------------------------------------------------------------------

    def attack_forms(self, forms: dict) -> None:
        for form in forms.values():
            fields = dict.fromkeys(COMMON_FIELD_NAMES, ("common", ""))
            fields.update(form["fields"])
            fields.pop("csrfmiddlewaretoken", None)
            method = "POST" if form["method"] == "post" else "GET"
            for payload_class, value in FIELD_PAYLOADS.items():
                if method == "GET" and payload_class not in QUERY_PAYLOADS:
                    continue
                kinds = KINDS_BY_PAYLOAD.get(payload_class, TEXT_KINDS)
                data = {name: value if kind in kinds else valid for name, (kind, valid) in fields.items()}
                body = urlencode({**data, "csrfmiddlewaretoken": self.csrf_token()})
                if method == "GET":
                    self.send(payload_class, "GET", f"{urlsplit(form['action']).path}?{body}")
                else:
                    self.send(
                        payload_class,
                        "POST",
                        form["action"],
                        content=body.encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )

    def attack_query_strings(self, pages: list[str]) -> None:
        for path in {urlsplit(page).path for page in pages}:
            for payload_class, value in QUERY_PAYLOADS.items():
                self.send(
                    payload_class, "GET", f"{path}?{urlencode(dict.fromkeys(COMMON_FIELD_NAMES, value))}"
                )

    def attack_api(self, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        schema = self.client.get("/api/schema/", headers={"Accept": "application/json"}).json()
        releases = self.client.get("/api/v1/releases/", headers=headers).json()["results"]
        release_ids = [str(release["id"]) for release in releases][:2] or ["1"]
        components = schema["components"]["schemas"]
        for route, operations in schema["paths"].items():
            for release_id in release_ids:
                path = re.sub(r"\{release_pk\}", release_id, route)
                path = re.sub(r"\{(id|pk)\}", "1", path)
                self.send("options", "OPTIONS", path, headers=headers)
                for method, operation in operations.items():
                    for payload_class in QUERY_PAYLOADS:
                        query = urlencode(dict.fromkeys(("page", "page_size"), FIELD_PAYLOADS[payload_class]))
                        self.send(payload_class, "GET", f"{path}?{query}", headers=headers)
                    if method == "get":
                        continue
                    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
                    reference = content["schema"]["$ref"].rsplit("/", 1)[-1] if content else None
                    properties = components.get(reference, {}).get("properties", {}) if reference else {}
                    for payload_class in FIELD_PAYLOADS:
                        body = {
                            name: json_value(payload_class, spec.get("type"))
                            for name, spec in properties.items()
                        }
                        self.send(
                            payload_class,
                            method.upper(),
                            path,
                            content=json.dumps(body).encode(),
                            headers={**headers, "Content-Type": "application/json"},
                        )
                    for body_class, (content_type, raw) in RAW_API_BODIES.items():
                        self.send(
                            body_class,
                            method.upper(),
                            path,
                            content=raw,
                            headers={**headers, "Content-Type": content_type},
                        )
        for path in ("/api/v1/releases/3/gate/", "/api/v1/releases/abc/", "/api/v1/nothing-here"):
            self.send("unknown_api_path", "GET", path, headers=headers)

    def new_token(self) -> str:
        """A token made through the profile page, as a person would make one for a pipeline."""
        self.keep_cookies(self.client.get("/profile/"))
        response = self.send(
            "setup",
            "POST",
            "/profile/",
            content=urlencode({"name": f"hostile campaign {time.time():.0f}"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response is not None and response.status_code == 302:
            response = self.client.get(response.headers["location"])
        match = re.search(r"gld_[A-Za-z0-9_-]+", response.text if response is not None else "")
        if not match:
            raise SystemExit("Could not create an API token on the profile page; pass --token.")
        return match[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", default="manager")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--token", help="an API token of that user (default: create one on the profile page)")
    parser.add_argument("--max-pages", type=int, default=300, help="pages to crawl at most (default 300)")
    parser.add_argument("--skip", default=DEFAULT_SKIP, help="regular expression of paths never requested")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    options = parser.parse_args()

    campaign = Campaign(options.url, options.username, options.password, options.skip, options.timeout)
    started = time.monotonic()
    campaign.sign_in()
    token = options.token or campaign.new_token()
    campaign.attack_api(token)  # first: a form below could change what the token may do
    pages, forms = campaign.crawl(options.max_pages)
    campaign.attack_query_strings(pages)
    campaign.attack_forms(forms)
    elapsed = time.monotonic() - started

    print(f"Crawled {len(pages)} pages and found {len(forms)} distinct forms on {options.url}")
    print(f"{'class':<28}{'requests':>10}   statuses")
    for payload_class, count in sorted(campaign.requests.items()):
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(campaign.statuses[payload_class].items()))
        print(f"{payload_class:<28}{count:>10}   {statuses}")
    total = sum(campaign.requests.values())
    print(f"{'total':<28}{total:>10}   in {elapsed:.0f} s")
    if campaign.refused_by_http_server:
        refused = sum(campaign.refused_by_http_server.values())
        print(f"Refused by the HTTP server before the application (request line too long): {refused}")
    if campaign.skipped:
        print(f"Not sent (URL longer than the client allows): {sum(campaign.skipped.values())}")
    for line in campaign.server_errors:
        print("5xx:", line)
    for line in campaign.not_json:
        print("not JSON under /api/v1/:", line)
    verdict = "PASS" if not campaign.server_errors and not campaign.not_json else "FAIL"
    print(
        f"Verdict: {verdict} — {len(campaign.server_errors)} server errors, "
        f"{len(campaign.not_json)} API answers not JSON, in {total} requests"
    )
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
