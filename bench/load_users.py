"""Simulated people for ``bench/load.py``, as asyncio tasks over aiohttp.

Each person has a session of their own (cookie jar, at most two connections),
like a phone's browser. Citizens browse the public pages with think time, or
log in once and then submit ideas through the real form (CSRF token and
one-time submission token taken from the page); reviewers save score sheets
while staff close the round. Every request is timed and classified: errors are
5xx answers, timeouts and connection failures; any other answer the page
should not give is "unexpected". Like a browser, aiohttp sends an idempotent
request once more when its connection drops; those are counted as "resent"."""
import asyncio
import itertools
import json
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import aiohttp

from load_record import Recorder, Sample  # bench/ is on the path: the scripts run from it

ROOT = Path(__file__).resolve().parents[1]
DEMO_IDEAS = ROOT / "ops" / "demo" / "data"
REQUEST_TIMEOUT_S = 20
# Clients drop idle connections before gunicorn's 5 s keep-alive does, so a
# request never goes out on a connection the server is closing.
CLIENT_KEEPALIVE_S = 3
BROWSE_THINK_S = (1.0, 4.0)
WRITE_THINK_S = (3.0, 8.0)
AFTER_SUBMIT_THINK_S = (2.0, 5.0)
# The public pages a browsing citizen opens: weight and path (None: the steps are in browser()).
BROWSE_MIX = {
    "home": (25, "/"), "track": (25, None), "track_lookup": (10, None), "static": (12, None),
    "login_page": (8, "/auth/login"), "register_page": (4, "/auth/register"), "gongshi": (5, "/gongshi"),
    "winners": (5, "/winners"), "vote": (3, "/vote/"), "open_data": (3, "/api/v1/stats"),
}
STATIC_FILES = ("/static/css/site.css", "/static/js/site.js")
UNKNOWN_CODE = "XC-2099-999999"
TRACKING_CODE = re.compile(r"XC-\d{4}-\d{6}")
IDEA_LOCATION = re.compile(r"/ideas/(\d+)$")
REVIEW_REFUSED = "评分未保存"


@dataclass
class Response:
    status: int
    text: str
    location: str | None


class FormReader(HTMLParser):
    """Hidden inputs and select options of a page, whatever the attribute order."""

    def __init__(self, html):
        super().__init__()
        self.hidden, self.options, self._select = {}, defaultdict(list), None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and attrs.get("value"):
            self.options[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


async def _count_send(session, context, params):
    if context.trace_request_ctx is not None:
        context.trace_request_ctx["sends"] += 1


def _send_counter():
    """Counts how often a request went out: aiohttp, like a browser, sends an
    idempotent request once more when its connection drops (RFC 9112, 9.3.1)."""
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_count_send)
    return trace


# Each visitor's own address, as the proxy in front of the site (PROXY_HOPS=1,
# see load_procs.site_env) passes it on: the site's per-address limits see a
# crowd of people, not one machine.
_addresses = itertools.count(1)


class Person:
    """One visitor: a cookie jar, a small connection pool, timed requests, an address of its own."""

    def __init__(self, base_url, recorder):
        self.recorder = recorder
        n = next(_addresses)
        self.session = aiohttp.ClientSession(
            base_url=base_url, cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: allow 127.0.0.1
            headers={"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"},
            connector=aiohttp.TCPConnector(limit=2, keepalive_timeout=CLIENT_KEEPALIVE_S),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S), trace_configs=[_send_counter()])

    async def close(self):
        await self.session.close()

    async def request(self, page, method, url, expect=(200,), **kwargs):
        """The response, or None after an error (recorded either way)."""
        start = time.monotonic()
        sent = {"sends": 0}
        try:
            async with self.session.request(method, url, allow_redirects=False, trace_request_ctx=sent,
                                            **kwargs) as resp:
                response = Response(resp.status, await resp.text(), resp.headers.get("Location"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.recorder.samples.append(Sample(page, start, time.monotonic(), type(exc).__name__))
            return None
        finally:
            if sent["sends"] > 1:
                self.recorder.resent[page] += 1
        if response.status >= 500:
            outcome = str(response.status)
        elif response.status in expect:
            outcome = "ok"
        else:
            outcome = "unexpected"
            self.recorder.unexpected[f"{page}:{response.status}"] += 1
        self.recorder.samples.append(Sample(page, start, time.monotonic(), outcome))
        return None if response.status >= 500 else response

    async def log_in(self, login, password):
        page = await self.request("login_page", "GET", "/auth/login")
        if page is None:
            return False
        token = FormReader(page.text).hidden.get("csrf_token", "")
        done = await self.request("login", "POST", "/auth/login", expect=(302,),
                                  data={"csrf_token": token, "login": login, "password": password})
        return done is not None and done.status == 302


class IdeaWriter:
    """Realistic proposals: the demo's well-written ideas, placed in a region
    and joined with a sentence of another idea, so no two are the same."""

    def __init__(self, rng):
        specs = [spec for path in sorted(DEMO_IDEAS.glob("ideas_*.json"))
                 for spec in json.loads(path.read_text(encoding="utf-8"))]
        self.specs = [s for s in specs if s["kind"] == "good"]
        self.rng = rng

    def fields(self, regions, themes):
        spec, other = self.rng.sample(self.specs, 2)
        region = self.rng.choice(regions)
        extra = other["suggestion"].split("。")[0]
        theme = spec["theme"] if spec["theme"] in themes else self.rng.choice(themes)
        return {
            "title": spec["title"],
            "theme": theme,
            "problem": f"在{region}，{spec['problem']}"[:2000],
            "suggestion": f"{spec['suggestion']}此外，{extra}。"[:3000],
            "benefit": spec["benefit"],
            "region": region,
            "contact_phone": f"137{self.rng.randrange(10**8):08d}",
            "show_name": "y",
            "submit": "提交建议",
        }


async def _think(bounds, rng, deadline):
    """Sleep like a person would, but never past the end of the phase."""
    await asyncio.sleep(max(0.0, min(rng.uniform(*bounds), deadline - time.monotonic())))


async def browser(base_url, recorder, codes, deadline, rng, start_delay):
    person = Person(base_url, recorder)
    try:
        await asyncio.sleep(start_delay)
        pages = list(BROWSE_MIX)
        weights = [weight for weight, _ in BROWSE_MIX.values()]
        while time.monotonic() < deadline:
            page = rng.choices(pages, weights)[0]
            path = BROWSE_MIX[page][1]
            if path is not None:
                await person.request(page, "GET", path)
            elif page == "track":
                if rng.random() < 0.05:
                    await person.request("track", "GET", f"/ideas/track/{UNKNOWN_CODE}", expect=(404,))
                else:
                    await person.request("track", "GET", f"/ideas/track/{rng.choice(codes)}")
            elif page == "track_lookup":
                # The lookup form: empty first, then with a code, which redirects to its page.
                await person.request("track_lookup", "GET", "/ideas/track")
                found = await person.request("track_lookup", "GET", "/ideas/track",
                                             params={"code": rng.choice(codes).lower()}, expect=(302,))
                if found is not None and found.location:
                    await person.request("track", "GET", found.location)
            else:
                await person.request("static", "GET", rng.choice(STATIC_FILES))
            await _think(BROWSE_THINK_S, rng, deadline)
    finally:
        await person.close()


async def submitter(base_url, recorder, codes, deadline, rng, start_delay, login, password, writer):
    person = Person(base_url, recorder)
    try:
        await asyncio.sleep(start_delay)
        while not await person.log_in(login, password):
            if time.monotonic() >= deadline:
                return
            await _think(AFTER_SUBMIT_THINK_S, rng, deadline)
        while time.monotonic() < deadline:
            await _submit_one(person, recorder, codes, deadline, rng, writer)
            await _think(AFTER_SUBMIT_THINK_S, rng, deadline)
    finally:
        await person.close()


async def _submit_one(person, recorder, codes, deadline, rng, writer):
    form_page = await person.request("new_form", "GET", "/ideas/new")
    if form_page is None:
        return
    form = FormReader(form_page.text)
    fields = writer.fields(form.options["region"], form.options["theme"])
    data = {**form.hidden, **fields}
    await _think(WRITE_THINK_S, rng, deadline)
    if time.monotonic() >= deadline:
        return  # the phase ended while they wrote: the tab is closed, nothing sent
    # What the form's script asks while the citizen types.
    await person.request("similar", "POST", "/analysis/similar",
                         data={"csrf_token": form.hidden.get("csrf_token", ""),
                               "text": f"{fields['title']}\n{fields['problem']}"[:300]})
    # A failed send is sent once more, as a browser's resend would: the same
    # submission token, so the site keeps one idea however many arrive.
    for _attempt in range(2):
        sent = await person.request("submit", "POST", "/ideas/new", expect=(302,), data=data)
        if sent is not None:
            break
        await asyncio.sleep(rng.uniform(0.5, 1.5))
    else:
        return
    match = IDEA_LOCATION.search(sent.location or "")
    if sent.status != 302 or match is None:
        return
    idea_id = int(match.group(1))
    recorder.acknowledged[idea_id] = None
    detail = await person.request("idea_detail", "GET", sent.location)
    code = TRACKING_CODE.search(detail.text) if detail is not None else None
    if code:
        recorder.acknowledged[idea_id] = code.group(0)
        codes.append(code.group(0))


async def crowd(base_url, seed, browsers, submitters, duration, ramp, rng_seed=0, during=None):
    """Browsers and submitters arrive over ``ramp`` seconds (submitters log in
    as they arrive), then all of them carry on for ``duration`` seconds, the
    measured window. ``during(window_start, recorder, codes)`` is a coroutine
    run alongside. Returns the recorder, the window and what ``during`` returned."""
    recorder = Recorder()
    codes = list(seed["codes"])
    rng = random.Random(rng_seed)
    writer = IdeaWriter(random.Random(rng_seed + 1))
    window_start = time.monotonic() + ramp
    deadline = window_start + duration
    tasks = [browser(base_url, recorder, codes, deadline, random.Random(rng.random()), rng.uniform(0, ramp))
             for _ in range(browsers)]
    logins = seed["submitters"][:submitters]
    tasks += [submitter(base_url, recorder, codes, deadline, random.Random(rng.random()),
                        rng.uniform(0, ramp), login, seed["password"], writer) for login in logins]
    extra = asyncio.ensure_future(during(window_start, recorder, codes)) if during else None
    # Every request has its own timeout; this bounds the phase even so.
    async with asyncio.timeout(ramp + duration + 2 * REQUEST_TIMEOUT_S + 30):
        await asyncio.gather(*tasks)
    result = await extra if extra else None
    return recorder, (window_start, deadline), result


async def burst(base_url, recorder, codes, n):
    """``n`` visitors open a tracking page at the same moment: requests in flight for a fault to hit."""
    people = [Person(base_url, recorder) for _ in range(n)]
    try:
        await asyncio.gather(*(person.request("track", "GET", f"/ideas/track/{random.choice(codes)}")
                               for person in people))
    finally:
        await asyncio.gather(*(p.close() for p in people))


async def rebuild_index(base_url, seed, timeout):
    """Staff start a text-mining rebuild, which the RQ worker runs; the similar-ideas
    index it saves is what citizens' look-ups then use. Returns the seconds it took."""
    staff = Person(base_url, Recorder())
    try:
        if not await staff.log_in(seed["staff"], seed["password"]):
            raise RuntimeError("工作人员登录失败")
        start = time.monotonic()
        dashboard = await staff.request("analysis", "GET", "/analysis/")
        token = FormReader(dashboard.text).hidden["csrf_token"]
        await staff.request("rebuild", "POST", "/analysis/rebuild", expect=(302,), data={"csrf_token": token})
        dashboard = await staff.request("analysis", "GET", "/analysis/")
        job_url = re.search(r'data-job-url="([^"]+)"', dashboard.text).group(1)
        while time.monotonic() - start < timeout:
            status = await staff.request("job", "GET", job_url)
            state = json.loads(status.text)["state"] if status is not None else None
            if state == "done":
                return round(time.monotonic() - start, 1)
            if state == "failed":
                raise RuntimeError(f"重新分析失败：{status.text}")
            await asyncio.sleep(0.5)
        raise RuntimeError(f"重新分析 {timeout} 秒内没有完成")
    finally:
        await staff.close()


async def round_close(base_url, seed, rng_seed=0, close_after=0.4):
    """Reviewers save their open score sheets while staff close the round once
    ``close_after`` of the sheets are saved. Returns the recorder and, per sheet,
    "saved" (acknowledged), "refused" (a clear refusal) or "failed"."""
    recorder = Recorder()
    rng = random.Random(rng_seed)
    sheets = defaultdict(list)
    for sheet in seed["round"]["sheets"]:
        sheets[sheet["reviewer"]].append(sheet["id"])
    outcome = {}
    enough_saved = asyncio.Event()
    trigger = max(1, int(close_after * len(seed["round"]["sheets"])))

    async def reviewer(login, sheet_ids):
        person = Person(base_url, recorder)
        try:
            if not await person.log_in(login, seed["password"]):
                raise RuntimeError(f"评审专家 {login} 登录失败")
            for sheet_id in sheet_ids:
                outcome[sheet_id] = await _save_sheet(person, sheet_id, rng)
                if sum(v == "saved" for v in outcome.values()) >= trigger:
                    enough_saved.set()
                await asyncio.sleep(rng.uniform(0, 0.05))
        finally:
            await person.close()

    async def staff():
        person = Person(base_url, recorder)
        try:
            if not await person.log_in(seed["staff"], seed["password"]):
                raise RuntimeError("工作人员登录失败")
            page = await person.request("round_page", "GET", f"/voting/rounds/{seed['round']['id']}")
            token = FormReader(page.text).hidden["csrf_token"]
            await enough_saved.wait()
            closed = await person.request("close", "POST", f"/voting/rounds/{seed['round']['id']}/close",
                                          expect=(302,),
                                          data={"csrf_token": token, "seed": "", "confirm": "y"})
            return closed is not None and closed.status == 302
        finally:
            await person.close()

    closing = asyncio.ensure_future(staff())
    await asyncio.gather(*(reviewer(login, ids) for login, ids in sheets.items()))
    enough_saved.set()  # however the saves went, the close goes out
    closed = await closing
    table = await _published_table(base_url, recorder, seed["round"]["id"])
    return recorder, outcome, closed, table


async def _save_sheet(person, sheet_id, rng):
    page = await person.request("review_page", "GET", f"/voting/review/{sheet_id}")
    if page is None:
        return "failed"
    form = FormReader(page.text)
    data = {"csrf_token": form.hidden.get("csrf_token", ""), "comment": "思路清楚，建议进一步细化实施路径。",
            "submit": "1"}
    for name in form.options:
        data[name] = str(rng.randint(3, 10))
    saved = await person.request("review_save", "POST", f"/voting/review/{sheet_id}", expect=(302, 200),
                                 data=data)
    if saved is None:
        return "failed"
    if saved.status == 302:
        return "saved"
    if REVIEW_REFUSED in saved.text:
        return "refused"
    person.recorder.unexpected["review_save:200-without-refusal"] += 1
    return "failed"


async def _published_table(base_url, recorder, round_id):
    """The public frozen table and the digest header it is served with."""
    person = Person(base_url, recorder)
    try:
        async with person.session.get(f"/voting/rounds/{round_id}/table.txt") as resp:
            return {"status": resp.status, "body": await resp.read(),
                    "digest": resp.headers.get("X-Content-SHA256")}
    finally:
        await person.close()
