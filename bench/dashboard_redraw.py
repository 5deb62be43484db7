#!/usr/bin/env python3
"""The dashboard's speed as a user sees it, on Chongqing: both figures of
issue 16 in one run, side by side.

  1. /api/run over HTTP from this script (http.client, one keep-alive
     connection; the slider's request: one lever on at an intensity, the six
     indicators): p50 / p95 / max in ms. Target: p95 < 5 ms.
  2. A slider move in headless Chromium until the charts are redrawn: the page
     marks the first input not yet drawn and measures, with the browser's
     Performance API, to the animation frame after the redraw
     ('slider-to-redraw'); this script reads those entries, and the page's own
     fetch times ('api-run'). p50 / p95 / max in ms. Target: < 100 ms.

  /usr/bin/python3 bench/dashboard_redraw.py --sdsim build/cli/sdsim [--moves 60] [--requests 500]

Each slider move waits for the page to settle before the next (a user's
pace, not a flood). Exits 77 if chromium, chromedriver or selenium is missing.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def summary(name, xs):
    return "%-28s n=%4d  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms" % (name, len(xs), pct(xs, 0.5), pct(xs, 0.95), max(xs))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdsim", required=True)
    ap.add_argument("--file", default=os.path.join(here, "..", "models/chongqing/scenarios/baseline.yaml"))
    ap.add_argument("--moves", type=int, default=60)
    ap.add_argument("--requests", type=int, default=500)
    a = ap.parse_args()

    proc = subprocess.Popen([a.sdsim, "serve", a.file, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\n", proc.stdout.readline())
    if not m:
        proc.kill()
        print("sdsim serve did not start", file=sys.stderr)
        return 1
    port = int(m.group(1))
    url = "http://127.0.0.1:%d/" % port
    try:
        # 1. The API from a script.
        conn = http.client.HTTPConnection("127.0.0.1", port)
        levers = ["planning", "land", "infrastructure", "registration", "innovation"]
        ind = ["rural_income", "urban_income", "income_ratio", "total_household_consumption", "urbanization_rate",
               "non_citizenized_migrants"]
        api = []
        for k in range(a.requests + 20):
            body = json.dumps({"levers": {levers[k % 5]: {"on": True, "intensity": 0.5 + 0.05 * (k % 10)}}, "vars": ind})
            t0 = time.perf_counter()
            conn.request("POST", "/api/run", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            dt = (time.perf_counter() - t0) * 1e3
            if r.status != 200:
                print("HTTP %d" % r.status, file=sys.stderr)
                return 1
            if k >= 20:  # warm-up excluded
                api.append(dt)
        print(summary("/api/run (script, HTTP)", api))

        # 2. The browser.
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.options import Options
            from selenium.webdriver.chrome.service import Service
            from selenium.webdriver.common.by import By
            from selenium.webdriver.common.keys import Keys
            from selenium.webdriver.support.ui import WebDriverWait
        except ImportError:
            print("browser figure skipped: python3-selenium is not installed")
            return 77
        chromium = shutil.which("chromium")
        driver_path = shutil.which("chromedriver")
        if not chromium or not driver_path:
            print("browser figure skipped: chromium or chromedriver is not installed")
            return 77
        tmp = tempfile.mkdtemp(prefix="sdsim_bench_")
        opts = Options()
        opts.binary_location = chromium
        for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--user-data-dir=" + tmp, "--window-size=1280,1000"]:
            opts.add_argument(f)
        d = webdriver.Chrome(service=Service(driver_path), options=opts)
        try:
            wait = WebDriverWait(d, 120, poll_frequency=0.05)
            d.get(url)
            wait.until(lambda d: d.execute_script("return window.dashboard && window.dashboard.runs >= 1 && window.dashboard.idle()"))
            d.find_element(By.ID, "lever-land-on").click()
            wait.until(lambda d: d.execute_script("return window.dashboard.runs >= 2 && window.dashboard.idle()"))
            d.execute_script("performance.clearMeasures()")
            slider = d.find_element(By.ID, "lever-land-intensity")
            for k in range(a.moves):
                runs = d.execute_script("return window.dashboard.runs")
                slider.send_keys(Keys.ARROW_LEFT if (k // 10) % 2 == 0 else Keys.ARROW_RIGHT)
                wait.until(lambda d: d.execute_script(
                    "return window.dashboard.runs > arguments[0] && window.dashboard.idle() &&"
                    " performance.getEntriesByName('slider-to-redraw').length > arguments[1]", runs, k))
            redraw = d.execute_script("return performance.getEntriesByName('slider-to-redraw').map(e => e.duration)")
            fetches = d.execute_script("return performance.getEntriesByName('api-run').map(e => e.duration)")
            charts = d.execute_script("return document.querySelectorAll('#chart-grid .chart').length")
        finally:
            d.quit()
            shutil.rmtree(tmp, ignore_errors=True)
        print(summary("/api/run (page's fetch)", fetches))
        print(summary("slider move -> redraw", redraw) + "  (%d charts)" % charts)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
