"""The `alerts` section of `make bench` (called by run.py), from the `alerts` bench binary
(proxy/benches/alerts.rs, which says how each figure is taken):

* latency: from an upstream change (a task of the simulator's scale instance changes stage, or
  goes into or out of `disconnect`) to the webhook delivery at a local receiver, through the
  real release proxy watching every 10 s (the floor of --watch-interval-secs), p99 against one
  interval + 1 s;
* eval: the rules' evaluation of one poll of a 5,000-task instance (pure engine, CPU), against
  50 ms; and the same through `on_poll` with its SQLite store, for information;
* outbox: 10,000 messages queued while a receiver was down, drained when it comes back
  (messages a second, seconds to drain), on SQLite and on a private PostgreSQL.
"""
import json
import os
import subprocess

from history import PrivatePg


def _bench(binary, *args, timeout=900):
    out = subprocess.run([binary, *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"alerts bench {args[0]} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def alerts(bench, log):
    a = bench.a
    quick = bench.quick
    work = bench.workdir
    out = {"outbox": {}, "loadavg_start": os.getloadavg()[0]}
    # BENCH_QUICK: 20 s of changes (two polls at 10 s, a few hundred messages: a rough p99).
    secs = 20 if quick else 90
    out["latency"] = _bench(a.alerts_bench, "latency", "--proxy", a.proxy, "--secs", secs, "--interval-secs", 10,
                            "--tasks", 1000, "--speed", 30, "--dir", os.path.join(work, "alerts-latency"),
                            timeout=secs + 120)
    log(f"alerts: latency p99 {out['latency']['p99_s']:.2f} s over {out['latency']['samples']} changes")
    # 30 polls of warm-up give every task 15 minutes of lag samples (lag_growing's window); quick
    # mode gives it 5 (a cheaper catch-up fit, so a rougher figure).
    out["eval"] = _bench(a.alerts_bench, "eval", "--tasks", 5000, "--polls", 5 if quick else 10,
                         "--warmup", 10 if quick else 30, "--dir", os.path.join(work, "alerts-eval"))
    log(f"alerts: eval {out['eval']['engine']['cpu_ms_median']:.1f} ms CPU per 5,000-task poll")
    messages = 1000 if quick else 10000
    out["outbox"]["sqlite"] = _bench(a.alerts_bench, "outbox", "--messages", messages,
                                     "--dir", os.path.join(work, "alerts-outbox"))
    log(f"alerts: outbox sqlite {out['outbox']['sqlite']['messages_per_sec']:.0f} messages/s")
    try:
        pg = PrivatePg(os.path.join(work, "alerts-pg.log"))
    except Exception as e:  # noqa: BLE001 - reported, the other figures stand
        out["postgres_error"] = str(e)
        pg = None
    if pg is not None:
        try:
            out["outbox"]["postgres"] = _bench(a.alerts_bench, "outbox", "--messages", messages,
                                               "--pg", pg.fresh_db("alerts_outbox"))
            log(f"alerts: outbox postgres {out['outbox']['postgres']['messages_per_sec']:.0f} messages/s")
        finally:
            pg.stop()
    out["loadavg_end"] = os.getloadavg()[0]
    return out
