// The proxy with a history store filled in advance (proxy/examples/history_stack.rs): the real
// `serve` path (demo simulator, signing, app()) plus a SQLite store holding two days of the demo
// seed task's history, or an empty, failing or absent store, for the "no history" messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BIN = process.env.HISTORY_STACK_BIN ?? join(ROOT, 'target/debug/examples/history_stack');
const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
const LOG_DIR = process.env.E2E_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'migration-e2e-history-'));

export const REGION = 'cn-hangzhou';
export const INSTANCE = 'pgm-bp102g323jd4demo';
export const TASK = 440437220;
/** Planted in a stored Detail line by the example: never shown. */
export const PLANTED = 'HistPlanted-7c7c7c';

export type StoreMode = 'seeded' | 'empty' | 'down' | 'none';

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

export class HistoryStack {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly log: string,
  ) {}

  static async start(mode: StoreMode, serveArgs: string[] = []): Promise<HistoryStack> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'migration-e2e-store-'));
    const log = join(LOG_DIR, `history-${mode}-${process.pid}-${Date.now()}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const args = ['--data-dir', dir, '--store', mode, '--', '--demo', '--listen', `127.0.0.1:${port}`,
      '--dist', DIST, '--audit-log', 'off', ...serveArgs];
    const child = spawn(BIN, args, { env: { PATH: process.env.PATH, RUST_LOG: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const url = `http://127.0.0.1:${port}`;
    const stack = new HistoryStack(url, child, dir, log);
    // Seeding two days of polls takes a few seconds on a loaded machine.
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) break;
      try {
        if ((await fetch(`${url}/healthz`)).ok) return stack;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.stop();
    let tail = '';
    try {
      tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      // no log
    }
    throw new Error(`history_stack (${mode}) did not start; its log ends:\n${tail}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((ok) => this.child.once('exit', () => ok()));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
