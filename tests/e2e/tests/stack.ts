// A private stack for one browser test: a standalone RDS simulator (`migration-proxy simulate
// --control`) and a proxy in real-account mode pointed at it, as a deployment points at the real
// endpoint. Unlike the demo proxies of scripts/e2e.sh, a test can change the simulator's faults
// while the page is open (PUT /-/faults), take the simulator down and bring it back, so it can
// show the dashboard riding out a fault and recovering by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BIN = process.env.PROXY_BIN ?? join(ROOT, 'target/debug/migration-proxy');
const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
/** Logs go where scripts/e2e.sh collects them for the suite-wide secret scan. */
const LOG_DIR = process.env.E2E_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'migration-e2e-stack-'));

// The simulator's documented demo key: what a real deployment would have in its environment.
const DEMO_KEY_ID = 'demo-access-key-id';
const DEMO_KEY_SECRET = 'demo-access-key-secret';

/** The simulator's fault set, as GET/PUT /-/faults carry it (omitted fields: off). */
export interface Faults {
  throttle_rate?: number;
  qps_limit?: number;
  throttle_time_left_ms?: number;
  server_error_rate?: number;
  latency_ms?: number;
  latency_jitter_ms?: number;
  timeout_rate?: number;
  timeout_ms?: number;
  malformed_rate?: number;
  clock_skew_secs?: number;
  sts_unavailable?: boolean;
  seed?: number;
}

export interface StackOptions {
  /** Name for the log files. */
  name: string;
  /** The proxy gets its credentials from the simulator's ECS metadata stand-in (STS
   *  credentials with a SecurityToken that expire and are refreshed) instead of an AccessKey. */
  ecsRole?: boolean;
  /** Extra `simulate` flags. */
  simArgs?: string[];
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

async function waitFor(url: string, what: string, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let tail = '';
  try {
    tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    // no log yet
  }
  throw new Error(`${what} did not start (${url}); its log ends:\n${tail}`);
}

function launch(args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill(signal);
  await exited;
}

export class Stack {
  readonly url: string;
  readonly simUrl: string;
  private sim?: ChildProcess;
  private proxy?: ChildProcess;
  private home: string;

  private constructor(
    private readonly opts: StackOptions,
    private readonly simPort: number,
    proxyPort: number,
    readonly proxyLog: string,
    private readonly simLog: string,
  ) {
    this.url = `http://127.0.0.1:${proxyPort}`;
    this.simUrl = `http://127.0.0.1:${simPort}`;
    this.home = mkdtempSync(join(tmpdir(), 'migration-e2e-home-'));
  }

  /** Starts the simulator, then the proxy, and waits until both answer. */
  static async start(opts: StackOptions): Promise<Stack> {
    const [simPort, proxyPort] = [await freePort(), await freePort()];
    const stamp = `${opts.name}-${process.pid}-${Date.now()}`;
    const stack = new Stack(opts, simPort, proxyPort, join(LOG_DIR, `stack-${stamp}-proxy.log`), join(LOG_DIR, `stack-${stamp}-sim.log`));
    try {
      await stack.startSimulator();
      await stack.startProxy(proxyPort);
    } catch (e) {
      await stack.stop();
      throw e;
    }
    return stack;
  }

  /** (Re)starts the simulator on its port, with the same seed: the same world. */
  async startSimulator(): Promise<void> {
    const args = ['simulate', '--listen', `127.0.0.1:${this.simPort}`, '--control', ...(this.opts.simArgs ?? [])];
    const env = { PATH: process.env.PATH, RUST_LOG: 'info' };
    this.sim = launch(args, env, this.simLog);
    await waitFor(`${this.simUrl}/-/faults`, 'the simulator', this.simLog);
  }

  /** Takes the simulator down hard (SIGKILL, as a crash or a lost host would): its port refuses. */
  async killSimulator(): Promise<void> {
    await stop(this.sim, 'SIGKILL');
    this.sim = undefined;
  }

  private async startProxy(port: number): Promise<void> {
    const args = [
      'serve',
      '--listen', `127.0.0.1:${port}`,
      '--dist', DIST,
      '--rds-endpoint', this.simUrl,
      '--region-id', 'cn-hangzhou',
      '--auth', 'none',
      '--audit-log', 'off',
      // Short enough that each auto-refresh reaches the upstream; stale copies kept long.
      '--cache-ttl-ms', '1000',
      '--stale-for-secs', '600',
      '--upstream-timeout-ms', '1500',
      '--retry-attempts', '2',
      '--retry-deadline-ms', '4000',
      // Its own history store; no auto-watch, so the watcher adds no upstream calls to these faults.
      '--data-dir', join(this.home, 'data'),
      '--no-auto-watch',
    ];
    // A clean environment: no credentials or profiles of whoever runs the tests.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.home, RUST_LOG: 'info' };
    if (this.opts.ecsRole) {
      env.ALIBABA_CLOUD_ECS_METADATA = 'migration-proxy-demo-role';
      args.push('--ecs-metadata-endpoint', this.simUrl);
    } else {
      env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
      env.ALIBABA_CLOUD_ACCESS_KEY_ID = DEMO_KEY_ID;
      env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = DEMO_KEY_SECRET;
    }
    this.proxy = launch(args, env, this.proxyLog);
    await waitFor(`${this.url}/healthz`, 'the proxy', this.proxyLog);
  }

  /** Replaces the simulator's faults (omitted: off). */
  async setFaults(faults: Faults): Promise<void> {
    const r = await fetch(`${this.simUrl}/-/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    if (!r.ok) throw new Error(`PUT /-/faults ${JSON.stringify(faults)}: ${r.status} ${await r.text()}`);
  }

  /** Turns every fault off. */
  async clearFaults(): Promise<void> {
    await this.setFaults({});
  }

  /** How many lines of the proxy's log match. */
  proxyLogCount(pattern: RegExp): number {
    const text = readFileSync(this.proxyLog, 'utf8');
    return text.split('\n').filter((l) => pattern.test(l)).length;
  }

  async stop(): Promise<void> {
    await stop(this.proxy, 'SIGTERM');
    await stop(this.sim, 'SIGKILL');
    rmSync(this.home, { recursive: true, force: true });
  }
}
