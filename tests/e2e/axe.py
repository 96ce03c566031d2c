"""axe-core (vendored in tests/e2e/vendor/axe-core) run inside a Playwright page,
and the other checks a page gets on every visit of the accessibility tests."""
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
# The WCAG 2.0/2.1 A and AA rules and axe's best practices (landmarks, one main, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# What a finger or a pointer presses: 44 × 44 px at least, 60 in the 长辈版. Links inside
# running text are exempt (WCAG 2.5.5 says so); checkboxes count by their label.
TARGETS = """(minimum) => [...document.querySelectorAll(
    'button, .button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'nav a, .display-switch a, label.check, summary')]
  .filter((el) => el.offsetParent !== null && !el.closest('table'))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.height < minimum - 0.5 || box.width < minimum - 0.5)
  .map(([el, box]) => `${el.tagName.toLowerCase()} “${(el.innerText || el.value || el.name || '').trim()
    .slice(0, 12)}” ${Math.round(box.width)}×${Math.round(box.height)}`)"""


def violations(page):
    """The serious and critical axe violations of the page as shown now: [(rule, impact, targets)]."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated, not added as a <script>: the site's CSP forbids inline scripts, rightly.
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", TAGS)
    return [(v["id"], v["impact"], [" ".join(n["target"]) for n in v["nodes"]][:4])
            for v in result["violations"] if v["impact"] in BLOCKING]


def small_targets(page, minimum):
    return page.evaluate(TARGETS, minimum)
