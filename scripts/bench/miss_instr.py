#!/usr/bin/env python3
"""User-space instructions per request of one or more proxy builds (run by hand; BENCHMARKS.md,
"profile"). Instruction counts do not move with the machine's load, as CPU time does.

    python3 scripts/bench/miss_instr.py '{"A": ["/tmp/before", "--cache-ttl-ms", "0"], "B": [...]}'

Starts the fixed upstream of `make bench`'s proxy section (nginx serving the seed's example
answer), then each proxy under valgrind's callgrind in turn, drives it with wrk (1 connection, a
new `TaskId` on every request; HITS=1: the same page every time), zeroes the counters after WARM
seconds (`callgrind_control -z`), dumps them after DUR more (`callgrind_control -d`) and divides
the total by the requests wrk completed. ROUNDS rounds, interleaved. Under valgrind SHA-256 runs
without the CPU's SHA extensions, so signing weighs more than natively.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402


def total_ir(path):
    with open(path) as f:
        for line in f:
            m = re.match(r"(?:summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(1))
    raise RuntimeError(f"no totals in {path}")


def main():
    proxies = json.loads(sys.argv[1])
    warm, dur = int(os.environ.get("WARM", "3")), int(os.environ.get("DUR", "8"))
    rounds, hits = int(os.environ.get("ROUNDS", "1")), os.environ.get("HITS") == "1"
    work = os.environ.get("WORKDIR", "/tmp/miss-instr")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    b = R.Bench(types.SimpleNamespace(proxy=None, workdir=work, pidfile=work + "/pids", quick=True))
    open(b.a.pidfile, "w").close()
    try:
        _, up_url, _ = b.fixed_upstream()
        res = {k: [] for k in proxies}
        for r in range(rounds):
            for name, (binary, *extra) in proxies.items():
                out = os.path.join(work, f"cg-{name}-{r}")
                os.makedirs(out)
                port = R.free_port()
                argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.%p",
                        binary, "serve", "--listen", f"127.0.0.1:{port}", "--rds-endpoint", up_url,
                        "--audit-log", "off", "--dist", os.path.join(work, "no-dist"),
                        "--rate-limit-per-sec", "4000000000", "--rate-limit-burst", "4000000000",
                        "--data-dir", os.path.join(work, f"data-{name}-{r}"), *extra]
                env = R.clean_env(ALIBABA_CLOUD_ACCESS_KEY_ID=R.DEMO_KEY_ID,
                                  ALIBABA_CLOUD_ACCESS_KEY_SECRET=R.DEMO_KEY_SECRET)
                p = b.procs.start(f"{name}-{r}", argv, env=env)
                url = f"http://127.0.0.1:{port}"
                for _ in range(600):
                    try:
                        if subprocess.run(["curl", "-sf", "-o", "/dev/null", url + "/healthz"]).returncode == 0:
                            break
                    except OSError:
                        pass
                    time.sleep(0.1)
                b.wrk(url + R.API_PAGE, warm, conns=1, threads=1, unique=not hits)
                subprocess.run(["callgrind_control", "-z", str(p.pid)], capture_output=True)
                w = b.wrk(url + R.API_PAGE, dur, conns=1, threads=1, unique=not hits)
                for f in glob.glob(f"{out}/cg.*"):
                    os.remove(f)
                subprocess.run(["callgrind_control", "-d", str(p.pid)], capture_output=True)
                time.sleep(0.5)
                ir = sum(total_ir(f) for f in glob.glob(f"{out}/cg.*"))
                p.terminate()
                p.wait(timeout=30)
                res[name].append(ir / max(w["requests"], 1))
                print(f"{name} round {r}: {w['requests']} requests, {ir / max(w['requests'], 1) / 1000:.1f} k "
                      f"instructions each (load {os.getloadavg()[0]:.2f})", flush=True)
        for name, v in res.items():
            print(f"{name:20} " + " ".join(f"{x / 1000:.1f}k" for x in v))
    finally:
        b.procs.stop_all()


if __name__ == "__main__":
    main()
