#!/usr/bin/env python3
"""Proxy memory under `make bench`'s fault load, several builds or settings side by side (run by
hand; BENCHMARKS.md, "Load under faults").

    python3 scripts/bench/mem_ab.py '{"system": ["target/release/migration-proxy"],
                                      "arenas2": ["target/release/migration-proxy", "MALLOC_ARENA_MAX=2"]}'

Each entry is a proxy (name: [binary, then VAR=value environment settings or serve flags]). One
fault-injecting simulator (20% throttling, 5% 5xx) serves them all; each proxy gets the `faults`
section's load (200 requests/s, one in ten with a never-repeated `TaskId`) from its own load
generator, all at the same time, so every proxy sees the same machine. Prints each proxy's RSS
every 5 s, its growth from the 20th second to the end (and from the lowest reading after it, as
`make bench` judges the goal), its cached pages' p50 and p99, and the load average. SECS sets the
length (60).
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402


def main():
    proxies = json.loads(sys.argv[1])
    secs = int(os.environ.get("SECS", "60"))
    work = os.environ.get("WORKDIR", "/tmp/mem-ab")
    loadgen = os.environ["LOADGEN"]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    b = R.Bench(types.SimpleNamespace(proxy=None, workdir=work, pidfile=work + "/pids", quick=True, loadgen=loadgen))
    open(b.a.pidfile, "w").close()
    try:
        first = next(iter(proxies.values()))[0]
        b.a.proxy = first
        _, sim_url = b.simulator("faults-sim", ["--fault-throttle-rate", "0.2", "--fault-5xx-rate", "0.05",
                                                "--fault-seed", "7"])
        started = {}
        for name, (binary, *rest) in proxies.items():
            env = dict(e.split("=", 1) for e in rest if "=" in e and not e.startswith("-"))
            flags = [e for e in rest if not ("=" in e and not e.startswith("-"))]
            port = R.free_port()
            argv = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--rds-endpoint", sim_url,
                    "--audit-log", "off", "--dist", os.path.join(work, "no-dist"),
                    "--rate-limit-per-sec", "4000000000", "--rate-limit-burst", "4000000000",
                    "--data-dir", os.path.join(work, f"data-{name}"), *flags]
            p = b.procs.start(name, argv, env=R.clean_env(ALIBABA_CLOUD_ACCESS_KEY_ID=R.DEMO_KEY_ID,
                                                          ALIBABA_CLOUD_ACCESS_KEY_SECRET=R.DEMO_KEY_SECRET, **env))
            base = f"http://127.0.0.1:{port}"
            b.wait_up(p, base + "/healthz")
            for _ in range(20):
                if R.http_get(base + R.API_PAGE, timeout=20)[0] == 200:
                    break
            started[name] = (p, base)
        rss = {name: [] for name in started}
        stop = threading.Event()

        def sample():
            t0 = time.time()
            while not stop.is_set():
                for name, (p, _) in started.items():
                    rss[name].append((time.time() - t0, R.proc_status(p.pid, "VmRSS")))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        load0 = os.getloadavg()[0]
        sampler.start()
        gens = []
        for name, (_, base) in started.items():
            unique = base + (f"/api/rds/DescribeCloudMigrationResult?RegionId={R.REGION}"
                             f"&DBInstanceName={R.DEMO_INSTANCE}&TaskId={{n}}")
            gens.append(subprocess.Popen([loadgen, "rate", "--url", base + R.API_PAGE, "--unique-url", unique,
                                          "--unique-every", "10", "--rate", "200", "--duration-s", str(secs),
                                          "--max-conns", "512", "--threads", "1"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        outs = [g.communicate(timeout=secs + 90)[0] for g in gens]
        stop.set()
        sampler.join(timeout=5)
        print(f"load average {load0:.2f} → {os.getloadavg()[0]:.2f}; {secs} s; RSS in MB")
        for (name, samples), out in zip(rss.items(), outs):
            r = json.loads(out.strip().splitlines()[-1])
            at20 = next((v for t, v in samples if t >= 20), None)
            end = samples[-1][1]
            # As report.py's rss_growth judges the goal: also from the lowest reading after 20 s.
            low = min((v for t, v in samples if t >= 20 and v is not None), default=None)
            every5 = ", ".join(f"{R.mb(v)}" for t, v in samples[::5])
            ok = r["all"]["non_2xx"] + r["all"]["errors"]
            print(f"{name:12} 20 s {R.mb(at20)} → end {R.mb(end)}: {R.mb(end - at20) if at20 else None:+} MB "
                  f"({R.mb(end - low) if low else None:+} MB from the lowest; peak {R.mb(max(v for _, v in samples))}); "
                  f"every 5 s: {every5}; failed {ok}; "
                  f"cached pages p50 / p99 {r['cached']['p50_us'] / 1000:.2f} / {r['cached']['p99_us'] / 1000:.2f} ms")
    finally:
        b.procs.stop_all()


if __name__ == "__main__":
    main()
