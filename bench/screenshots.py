"""The README's 长辈版 screenshots, taken from the demo site on a 375 px phone with
Debian's chromium: the home page and the proposal form (signed in as the demo
citizen) in the 长辈版, the form at the largest size, and the public page of an
accepted idea as anyone sees it, standard and 长辈版. Run by hand after a visible
change; writes docs/screenshot-elder-*.png and docs/screenshot-public-idea.png.

    .venv/bin/python bench/screenshots.py            # a fresh demo site in a temporary folder
    INSTANCE_PATH=/tmp/site .venv/bin/python bench/screenshots.py   # or an existing one
"""
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN",
             device_scale_factor=1)
DEMO_CITIZEN = "13800000001"


def _demo_site():
    """The instance folder to serve: the one named, or a fresh one with the demo data loaded."""
    if os.environ.get("INSTANCE_PATH"):
        return os.environ["INSTANCE_PATH"]
    folder = tempfile.mkdtemp(prefix="xiance-shots-")
    env = {**os.environ, "INSTANCE_PATH": folder, "FLASK_APP": "app"}
    for step in (["db", "upgrade"], ["demo", "load"]):
        print("▸ flask", *step, flush=True)
        subprocess.run([sys.executable, "-m", "flask", *step], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return folder


def main():
    os.environ["INSTANCE_PATH"] = _demo_site()
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app

    site = create_app("development", {"DEBUG": False})
    server = make_server("127.0.0.1", 0, site, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    password = site.config["DEMO_PASSWORD"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_context(**PHONE).new_page()
        page.goto(base + "/")
        page.get_by_role("link", name="长辈版").click()
        page.wait_for_selector("html.elder-1", state="attached")
        page.screenshot(path=str(DOCS / "screenshot-elder-home.png"))
        page.goto(base + "/auth/login?next=/ideas/new")
        page.fill("#login", DEMO_CITIZEN)
        page.fill("#password", password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/ideas/new")
        page.fill("#title", "推行园区“政区分设”，让管委会专心招商")
        page.evaluate("document.querySelector('main h1').scrollIntoView()")
        page.screenshot(path=str(DOCS / "screenshot-elder-form.png"))
        for step in range(2, 6):   # the typed title stays: the switch keeps the page
            page.locator(".display-switch a.size").last.click()
            page.wait_for_selector(f"html.elder-{step}", state="attached")
        page.evaluate("document.querySelector('main h1').scrollIntoView()")
        page.screenshot(path=str(DOCS / "screenshot-elder-form-30pt.png"))
        visitor = browser.new_context(**PHONE).new_page()   # not signed in, standard size
        visitor.goto(base + "/ideas/public")
        visitor.locator("main article h2 a").first.click()
        visitor.wait_for_url("**/ideas/XC-*")
        visitor.screenshot(path=str(DOCS / "screenshot-public-idea.png"))
        visitor.get_by_role("link", name="长辈版").click()
        visitor.wait_for_selector("html.elder-1", state="attached")
        visitor.screenshot(path=str(DOCS / "screenshot-elder-public-idea.png"))
        browser.close()
    server.shutdown()
    names = ("elder-home", "elder-form", "elder-form-30pt", "public-idea", "elder-public-idea")
    print("已写入", ", ".join(f"docs/screenshot-{n}.png" for n in names))


if __name__ == "__main__":
    main()
