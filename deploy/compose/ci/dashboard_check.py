#!/usr/bin/python3
"""The compose stack's dashboard in a real headless Chromium (scripts/compose-check.sh runs it).

  python3 dashboard_check.py <eval-service URL> <job id> <token file> <screenshot.png>

Signs in on /dashboard/token with the viewer's token, opens the job's page, waits until its charts are drawn and
compares what ECharts holds with what the REST API answers: each attack's worst-class curve with every evaluation's
worst class under it, and the latest epoch's clean per-class bars with its clean_accuracy.per_class. The same comparison as
eval-service's DashboardBrowserTest, here against the containers. Exit status 0 only when they agree.
"""
import json
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, job, token_file, shot = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
token = open(token_file).read().strip()


def rest(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)


def series(driver, chart, name):
    data = driver.execute_script(
        "return window.hamCharts[arguments[0]].getOption().series.map(s => ({name: s.name, data: s.data}));", chart)
    for s in data:
        if s["name"] == name:
            return [float(v) for v in s["data"]]
    sys.exit(f"dashboard-check: FAILED: no series '{name}' in chart {chart}: {[s['name'] for s in data]}")


def same(what, drawn, answered):
    if len(drawn) != len(answered) or any(abs(a - b) > 1e-9 for a, b in zip(drawn, answered)):
        sys.exit(f"dashboard-check: FAILED: {what}: the chart draws {drawn}, the REST API answers {answered}")
    print(f"[dashboard-check] {what}: drawn = REST ({len(drawn)} values)")


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1700",
          "--user-data-dir=" + tempfile.mkdtemp(prefix="ham-chromium-")):
    options.add_argument(a)
# the system's driver, named: nothing is downloaded
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    wait = WebDriverWait(driver, 60)
    driver.get(base + "/dashboard/token")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: d.current_url.endswith("/dashboard"))
    driver.get(f"{base}/dashboard/jobs/{job}")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in ("true", "failed"))
    if driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") != "true":
        sys.exit("dashboard-check: FAILED: the job's page did not load its data (data-ready=failed)")

    rows = rest(f"/results?job={job}")
    for attack in sorted(rows[-1]["result"]["robust_by_attack"]):
        same(f"{attack} worst class per epoch", series(driver, "curves", f"{attack} worst"),
             [r["result"]["robust_by_attack"][attack]["worst"] for r in rows])
    same("clean accuracy per class, latest epoch", series(driver, "bars", "clean"),
         rows[-1]["result"]["clean_accuracy"]["per_class"])
    time.sleep(2)  # ECharts animates its first drawing; the screenshot shows the end of it
    driver.save_screenshot(shot)
    print(f"[dashboard-check] the job's page, rendered: {shot}")
finally:
    driver.quit()
