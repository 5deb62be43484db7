#!/usr/bin/env python3
"""report.html in a real browser (ctest report.html_browser): runs `sdsim
compare` on the Chongqing comparison with --lang en and --lang zh, opens each
report.html in headless Chromium (Selenium) and checks, as a reader sees it:

  - the summary has one sentence per indicator, each naming the indicator's
    title, and no number in scientific notation;
  - every chart has an x-axis label (the year) and a y-axis label with units,
    and its lines differ in dash pattern or colour AND width (readable in
    grey: baseline and all-levers solid and thick, each lever dashed);
  - the page fits a phone-width window (no horizontal scrolling of the body);
  - the zh report carries the Chinese titles of the indicators and levers;
  - the page loads nothing from outside the file.

With --screenshots DIR it also writes report-en.png and report-zh.png there
(docs/ keeps them: /usr/bin/python3 tests/report/report_html_test.py
--sdsim build/cli/sdsim --source . --screenshots docs).

Exits 77 (ctest: Skipped) if chromium, chromedriver or python3-selenium is
missing; never passes without running.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


SCI = re.compile(r"\d[eE][+-]?\d")

# The Chongqing comparison's indicators and the titles model.yaml gives them.
TITLES = {
    "en": {
        "rural_income": "rural disposable income per person",
        "urban_income": "urban disposable income per person",
        "income_ratio": "urban-rural income ratio",
        "total_household_consumption": "household consumption",
        "urbanization_rate": "urbanization rate (residents)",
        "non_citizenized_migrants": "urban residents without local hukou",
    },
    "zh": {
        "rural_income": "农村常住居民人均可支配收入",
        "urban_income": "城镇常住居民人均可支配收入",
        "income_ratio": "城乡居民收入比",
        "total_household_consumption": "居民消费支出总额",
        "urbanization_rate": "常住人口城镇化率",
        "non_citizenized_migrants": "未落户的城镇常住人口",
    },
}
LEVERS_ZH = ["规划", "土地改革", "基础设施", "户籍改革", "科技创新"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdsim", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--screenshots")
    a = ap.parse_args()

    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        print("SKIP: python3-selenium is not installed")
        return SKIP
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        print("SKIP: chromium or chromedriver is not installed")
        return SKIP

    tmp = tempfile.mkdtemp(prefix="report-html-")
    try:
        pages = {}
        for lang in ("en", "zh"):
            out = os.path.join(tmp, lang)
            r = subprocess.run([a.sdsim, "compare", os.path.join(a.source, "models/chongqing/scenarios/compare.yaml"),
                                "--no-charts", "--lang", lang, "--out", out], capture_output=True, text=True)
            check(r.returncode == 0, "sdsim compare --lang %s exits 0 (%s)" % (lang, r.stderr.strip()[-300:]))
            pages[lang] = os.path.join(out, "report.html")
            html = open(pages[lang], encoding="utf-8").read()
            check(not re.search(r"(src|href)=\"(https?:)?//", html), "%s: the page names no external asset" % lang)

        opts = Options()
        opts.binary_location = chromium
        for o in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
            opts.add_argument(o)
        d = webdriver.Chrome(service=Service(driver), options=opts)
        try:
            for lang, path in pages.items():
                d.set_window_size(1200, 900)
                d.get("file://" + path)
                findings = d.find_elements(By.CSS_SELECTOR, "#summary p.finding")
                by_ind = {f.get_attribute("data-indicator"): f.text for f in findings}
                check(set(by_ind) == set(TITLES[lang]), "%s: one summary sentence per indicator" % lang)
                for ind, text in by_ind.items():
                    check(TITLES[lang][ind] in text, "%s: the %s sentence names '%s'" % (lang, ind, TITLES[lang][ind]))
                    check(not SCI.search(text), "%s: no scientific notation in the %s sentence" % (lang, ind))
                    check(re.search(r"\d", text) is not None, "%s: the %s sentence has numbers" % (lang, ind))
                charts = d.find_elements(By.CSS_SELECTOR, "svg.chart")
                check(len(charts) >= len(TITLES[lang]), "%s: a chart per indicator (%d charts)" % (lang, len(charts)))
                for c in charts:
                    cid = c.get_attribute("id")
                    x = c.find_element(By.CSS_SELECTOR, ".x-label").text
                    y = c.find_element(By.CSS_SELECTOR, ".y-label").text
                    check(x == ("year" if lang == "en" else "年份"), "%s %s: the x axis is the year" % (lang, cid))
                    check(re.search(r"(\(.+\)|（.+）)$", y) is not None, "%s %s: the y axis has units: %r" % (lang, cid, y))
                    styles = {(p.get_attribute("stroke-dasharray") or "solid", p.get_attribute("stroke-width"))
                              for p in c.find_elements(By.CSS_SELECTOR, "path.series")}
                    n = len(c.find_elements(By.CSS_SELECTOR, "path.series"))
                    check(len(styles) == n and n == 7, "%s %s: 7 lines, each its own dash pattern or width" % (lang, cid))
                    ticks = [t.text for t in c.find_elements(By.CSS_SELECTOR, ".y-axis text")]
                    check(ticks and not any(SCI.search(t) for t in ticks), "%s %s: readable y ticks" % (lang, cid))
                real = d.find_elements(By.CSS_SELECTOR, "svg.chart[id$='-real']")
                check(len(real) >= 3, "%s: money indicators have a constant-price view (%d)" % (lang, len(real)))
                if lang == "zh":
                    body = d.find_element(By.TAG_NAME, "body").text
                    for lz in LEVERS_ZH:
                        check(lz in body, "zh: the lever %s is named in Chinese" % lz)
                    check("主要结论" in body, "zh: the headings are in Chinese")
                if a.screenshots:
                    os.makedirs(a.screenshots, exist_ok=True)
                    d.set_window_size(1000, 1400)
                    d.save_screenshot(os.path.join(a.screenshots, "report-%s.png" % lang))
                d.set_window_size(400, 900)
                d.get("file://" + path)
                sw = d.execute_script("return document.documentElement.scrollWidth")
                cw = d.execute_script("return document.documentElement.clientWidth")
                check(sw <= cw + 1, "%s: fits a phone-width window (%d <= %d)" % (lang, sw, cw))
        finally:
            d.quit()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("all report.html checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
