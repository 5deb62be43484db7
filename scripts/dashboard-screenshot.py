#!/usr/bin/env python3
"""Regenerates the dashboard's screenshots in docs/ (shown in the README and
docs/serve.md): starts `sdsim serve` on the Chongqing baseline scenario,
opens it in headless Chromium (Selenium, so that the page has drawn its
charts before the picture is taken) with two levers switched on through the
URL, and saves

  docs/dashboard.png          the desktop view (1400 x 1000)
  docs/dashboard-compare.png  the factorial table of every lever combination
  docs/dashboard-phone.png    a phone-width screen (390 x 844)

  /usr/bin/python3 scripts/dashboard-screenshot.py [--sdsim build/cli/sdsim]
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdsim", default=os.path.join(ROOT, "build/cli/sdsim"))
    ap.add_argument("--file", default=os.path.join(ROOT, "models/chongqing/scenarios/compare.yaml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    a = ap.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    proc = subprocess.Popen([a.sdsim, "serve", a.file, "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not re.fullmatch(r"http://127\.0\.0\.1:\d+/\n", line):
        proc.kill()
        sys.exit("sdsim serve did not print its address: %r" % line)
    url = line.strip()
    tmp = tempfile.mkdtemp(prefix="sdsim_shot_")
    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US",
              "--user-data-dir=" + tmp]:
        opts.add_argument(f)
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        wait = WebDriverWait(d, 120, poll_frequency=0.05)

        def settle():
            wait.until(lambda d: d.execute_script(
                "return window.dashboard && window.dashboard.runs >= 1 && window.dashboard.idle()"))
            time.sleep(0.3)

        def shot(name, w, h):
            d.set_window_size(w, h)
            time.sleep(0.3)
            path = os.path.join(a.out, name)
            d.save_screenshot(path)
            print("wrote " + os.path.relpath(path, ROOT))

        state = "#land=1&registration=1&registration.intensity=0.6"
        d.set_window_size(1400, 1000)
        d.get(url + state)
        settle()
        shot("dashboard.png", 1400, 1000)
        d.find_element(By.ID, "tab-compare").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ranked tbody tr")) > 0)
        settle()
        d.execute_script("document.getElementById('compare').scrollIntoView()")
        shot("dashboard-compare.png", 1400, 1000)
        d.get("about:blank")
        d.set_window_size(390, 844)
        d.get(url + state)
        settle()
        shot("dashboard-phone.png", 390, 844)
    finally:
        d.quit()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
