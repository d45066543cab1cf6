#!/usr/bin/env python3
"""Two builds of the app side by side, on a machine other work may share: one simulator, one
proxy per build (the release proxy, as `make bench` uses), and the browser figures taken in
alternating rounds (A B, B A, A B, ...), so both builds see the same load. Prints each
figure's median per build, and the load average at the start and the end.

    cargo build --release -p migration-proxy
    scripts/build-app.sh && cp -r dist /tmp/dist-a     # before
    ... change ..., scripts/build-app.sh               # after, in dist/
    python3 scripts/bench/ab.py --a /tmp/dist-a --b dist [--rounds 4]

Per round and build: `startup.mjs` (phases of the first table, loopback, 3 runs), `browser.mjs
--parts throttled` (10 Mbit/s, 40 ms RTT, empty cache, 2 runs) and `browser.mjs --parts
refresh` (the 100-row refresh, 3 runs through to the simulator and 3 from the proxy's cache).
With `--startup-only`, only `startup.mjs` (5 runs a round): its `thread_ms` (main-thread CPU
time) is the figure least moved by other work on the machine.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO_ENV = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "demo-access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo-access-key-secret"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, proc):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"ab: a server exited early ({url})")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:
            time.sleep(0.1)
    sys.exit(f"ab: {url} did not come up")


def node(script, *args):
    out = subprocess.run(["node", os.path.join(HERE, script), *args], capture_output=True, text=True, timeout=600, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="dist directory of build A")
    ap.add_argument("--b", required=True, help="dist directory of build B")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--startup-only", action="store_true", help="only startup.mjs (the first table), 5 runs a round")
    ap.add_argument("--proxy", default=os.path.join(ROOT, "target/release/migration-proxy"))
    a = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATION_PROXY_", "ALIBABA_CLOUD_"))}
    work = tempfile.mkdtemp(prefix="migration-ab-")
    procs = []
    try:
        sim_port = free_port()
        sim = subprocess.Popen([a.proxy, "simulate", "--listen", f"127.0.0.1:{sim_port}", "--bench-instance-tasks", "5000"],
                               env=env, stdout=open(os.path.join(work, "sim.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(sim)
        wait_up(f"http://127.0.0.1:{sim_port}/", sim)
        bases = {}
        for name, dist in (("A", a.a), ("B", a.b)):
            port = free_port()
            p = subprocess.Popen([a.proxy, "serve", "--listen", f"127.0.0.1:{port}", "--rds-endpoint", f"http://127.0.0.1:{sim_port}",
                                  "--audit-log", "off", "--dist", os.path.abspath(dist), "--data-dir", os.path.join(work, f"data-{name}"),
                                  "--rate-limit-per-sec", "4000000000", "--rate-limit-burst", "4000000000"],
                                 env={**env, **DEMO_ENV}, stdout=open(os.path.join(work, f"proxy-{name}.log"), "w"), stderr=subprocess.STDOUT)
            procs.append(p)
            bases[name] = f"http://127.0.0.1:{port}"
            wait_up(bases[name] + "/healthz", p)
        load0 = os.getloadavg()
        figures = {n: {} for n in bases}

        def add(name, key, values):
            figures[name].setdefault(key, []).extend(v for v in values if isinstance(v, (int, float)))

        for r in range(a.rounds):
            for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                base = bases[name]
                s = node("startup.mjs", "--base", base, "--runs", "5" if a.startup_only else "3")
                for k in ("api_end", "answer_seen", "body_read", "first_row", "task_ms", "script_ms", "thread_ms", "nodes", "compiled", "started"):
                    add(name, f"first table: {k}", [run[k] for run in s["runs"]])
                # Per load, so the download's share of the load's noise is taken out.
                add(name, "first table: from compiled", [run["first_row"] - run["compiled"] for run in s["runs"]
                                                         if isinstance(run["first_row"], (int, float)) and isinstance(run["compiled"], (int, float))])
                if a.startup_only:
                    print(f"round {r + 1} {name} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
                    continue
                t = node("browser.mjs", "--base", base, "--runs", "2", "--parts", "throttled")
                add(name, "throttled first table", t["throttled_first_table_ms"])
                f = node("browser.mjs", "--base", base, "--runs", "3", "--parts", "refresh")
                add(name, "refresh, through to the simulator", f["refresh_ms"])
                add(name, "refresh, proxy cache fresh", f.get("refresh_cached_ms") or [])
                print(f"round {r + 1} {name} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
        load1 = os.getloadavg()
        print(f"load average (1 min) start {load0[0]:.2f}, end {load1[0]:.2f}; rounds {a.rounds}, alternating")
        print(f"A = {a.a}\nB = {a.b}")
        print(f"{'figure (median ms)':42} {'A':>9} {'B':>9} {'B/A':>6}  n")
        for key in figures["A"]:
            ma = statistics.median(figures["A"][key]) if figures["A"][key] else float("nan")
            mb = statistics.median(figures["B"].get(key) or [float("nan")])
            print(f"{key:42} {ma:9.1f} {mb:9.1f} {mb / ma if ma else float('nan'):6.2f}  {len(figures['A'][key])}/{len(figures['B'].get(key, []))}")
        print(json.dumps({"load_start": load0[0], "load_end": load1[0], "figures": figures}), file=open(os.path.join(work, "ab.json"), "w"))
        print(f"(all runs in {work}/ab.json)")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
