"""Benchmark the registration form's proof of work in Debian's chromium. Prints numbers.

Usage::

    .venv/bin/python scripts/bench/bench_hosts_pow.py [--runs 10] [--max-number 100000]

Loads ``/dang-ky`` of a throw-away app (sample data) at phone size and times how long the
page's own solver (``static/hosts_pow.js``) takes until the form may be sent: with the
browser's ``crypto.subtle`` (HTTPS or 127.0.0.1) and with the built-in SHA-256 used on
plain-HTTP pages. The search stops at a random number in 0…max, so the mean is max/2 hashes.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aiohttp.test_utils import TestServer  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from camnet.app import create_app  # noqa: E402
from camnet.config import load_config  # noqa: E402
from camnet.sample import load_sample  # noqa: E402
from camnet.web import keys  # noqa: E402

NO_SUBTLE = "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined});"


async def main(runs: int, max_number: int) -> None:
    """Time ``runs`` solves with and without ``crypto.subtle``."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"storage": {"data_dir": tmp}, "monitor": {"enabled": False},
                                    "hosts": {"pow_max_number": max_number}})
        app = create_app(config)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        await load_sample(app[keys.DB], app[keys.CIPHER])
        url = str(server.make_url("/dang-ky"))
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium,
                                               args=["--no-sandbox", "--disable-gpu"])
            for label, script in (("crypto.subtle", ""), ("built-in SHA-256", NO_SUBTLE)):
                times = []
                for _ in range(runs):
                    context = await browser.new_context(viewport={"width": 390, "height": 844})
                    if script:
                        await context.add_init_script(script)
                    page = await context.new_page()
                    await page.goto(url)
                    start = time.perf_counter()
                    await page.wait_for_selector("form[data-pow-ready='1']", timeout=600_000)
                    times.append(time.perf_counter() - start)
                    await context.close()
                print(f"{label}: max {max_number}, {runs} runs: mean {statistics.mean(times):.2f} s,"  # noqa: T201
                      f" median {statistics.median(times):.2f} s, max {max(times):.2f} s")
            await browser.close()
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--max-number", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.max_number))
