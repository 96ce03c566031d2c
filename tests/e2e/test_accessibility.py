"""axe-core on every page type, at 375 px and on a desktop, in the standard page and
the 长辈版 at its largest size (30 pt): no serious or critical violation, every page
fits the phone, every touch target is big enough. The pages are every GET route
of the app that renders HTML, each seen by a visitor allowed to see it (the access
matrix decides who), in the access tests' world, plus the forms with errors and
the error pages."""
import json

import pytest

from tests.app.conftest import world  # noqa: F401  (the fixture: one of everything)
from tests.app.test_access_matrix import EXPECTED, OK
from tests.app.conftest import url_for_rule
from tests.e2e.axe import small_targets, violations
from tests.e2e.conftest import ARTIFACTS, PhonePage

# Files, feeds and redirects only: nothing for a person to read. (The world's winner has named
# the certificate already, so its naming page sends the PDF; tests/e2e/test_certificate_… shows it.)
NOT_PAGES = {"certificates.name", "static", "base.healthz", "base.display_mode", "api.stats", "api.winners",
             "ideas.export", "reports.pdf", "reports.xlsx", "reports.proposals_pdf", "reports.proposals_xlsx",
             "privacy.my_data_json", "certificates.pdf", "voting.frozen_table",
             "notice.winners_text", "analysis.job_status", "auth.logout"}
# Who looks at a page: the first visitor the access matrix lets in, in this order.
LOOKERS = ("anonymous", "citizen", "reviewer", "staff", "admin")
# Public pages that show more to a signed-in citizen (the vote buttons).
AS_CITIZEN = {"ballots.index", "ballots.ballot", "ballots.idea"}
VIEWPORTS = {"phone": dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True),
             "desktop": dict(viewport={"width": 1280, "height": 800})}
LARGEST = "elder-5"


def _pages(app, values):
    """(visitor, label, path) for every page of the app."""
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        allowed = EXPECTED[rule.endpoint]
        visitor = "citizen" if rule.endpoint in AS_CITIZEN else next(v for v in LOOKERS if allowed[v] == OK)
        pages.append((visitor, rule.endpoint, url_for_rule(rule, values)))
    return pages


def _form_errors(visitor):
    """States a GET does not reach: forms sent back with errors, the error pages."""
    def submit(page, path, button):
        def show(wrapper):
            wrapper.goto(path)
            page.get_by_role("button", name=button).first.click()
            page.wait_for_load_state()
        return show
    return {"anonymous": [("登录（密码错误）", "/auth/login", "登录"),
                          ("注册（未填写）", "/auth/register", "注册")],
            "citizen": [("提交建议（未填写）", "/ideas/new", "提交建议")]}.get(visitor, []), submit


def _visit(wrapper, show, variant, found, unfit, small):
    page = wrapper.page
    before = len(wrapper.console_errors)
    show(wrapper)
    label = wrapper.label
    if label.startswith("error "):
        # The browser reports the error page's own status as a console error: that one is expected.
        wrapper.console_errors[before:] = [e for e in wrapper.console_errors[before:]
                                           if "status of 40" not in e]
    problems = violations(page)
    if problems:
        found.setdefault(label, {})[variant] = problems
    if variant.startswith("phone") and not wrapper.fits_the_screen():
        unfit.append(f"{variant} {label}")
    tiny = small_targets(page, 60 if variant.endswith("长辈版") else 44)
    if tiny:
        small.setdefault(label, {})[variant] = tiny


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_passes_axe(browser, live_server, app, world, viewport):  # noqa: F811
    people, values = world
    by_visitor = {}
    for visitor, endpoint, path in _pages(app, values):
        by_visitor.setdefault(visitor, []).append((endpoint, path))
    by_visitor.setdefault("anonymous", []).append(("error 404", "/no-such-page"))
    by_visitor.setdefault("citizen", []).append(("error 403", "/ideas/screening"))
    found, unfit, small, wrappers = {}, [], {}, []
    for visitor, pages in by_visitor.items():
        context = browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
        wrapper = PhonePage(context.new_page(), live_server, f"axe-{viewport}-{visitor}")
        wrappers.append(wrapper)
        if visitor != "anonymous":
            wrapper.log_in(people[visitor])
        forms, submit = _form_errors(visitor)
        shows = [(label, lambda w, p=path: w.goto(p)) for label, path in pages]
        shows += [(label, submit(wrapper.page, path, button)) for label, path, button in forms]
        for label, show in shows:
            wrapper.label = label
            for elder in (False, True):
                if elder:
                    context.add_cookies([{"name": "display", "value": LARGEST, "url": live_server}])
                else:
                    context.clear_cookies(name="display")
                _visit(wrapper, show, f"{viewport} {'长辈版' if elder else '标准'}", found, unfit, small)
        context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = {"violations": found, "too_wide": unfit, "small_targets": small,
              "pages": sum(len(p) for p in by_visitor.values()) + 3}
    (ARTIFACTS / f"axe-{viewport}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert found == {}
    assert unfit == []
    assert small == {}
    assert [w.console_errors for w in wrappers if w.console_errors] == []
    assert [w.outside_requests for w in wrappers if w.outside_requests] == []
