/**
 * The harness the SIGKILL tests share: a child process that loads, prints `ready`, waits for `go` on stdin, starts
 * its job and prints an id line — so the test can spawn the next child (paying its start-up) while it checks the
 * last one, and time the kill from the job's start rather than from the process's; a seeded stream of kill delays,
 * so a failing kill point reproduces; and a walk listing files that staging left behind.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a child ended with. */
export interface ChildEnd {
  /** Whether it died of SIGKILL. */
  readonly killed: boolean;
  /** Its exit code (null when killed). */
  readonly code: number | null;
  /** Everything it printed. */
  readonly stdout: string;
  /** Everything it printed to stderr. */
  readonly stderr: string;
}

/** A child job process under the test's control. */
export interface KillableChild {
  /** Resolves when the child has loaded and waits for {@link KillableChild.go}. */
  readonly ready: Promise<void>;
  /**
   * Tells the child to start; resolves with the first capture group of `idLine` once it has printed it.
   *
   * @param idLine - the line the child prints when its job has started (one capture group)
   */
  go(idLine: RegExp): Promise<string>;
  /** Waits for a line matching `text` (rejects if the child ends first). */
  waitFor(text: RegExp): Promise<RegExpExecArray>;
  /** Resolves when the child has ended. */
  readonly done: Promise<ChildEnd>;
  /** Sends SIGKILL. */
  kill(): void;
}

/**
 * Spawns `node --import tsx <script> <args>`; the script prints `ready`, reads one line from stdin, then starts.
 *
 * @param script - the child's TypeScript file
 * @param args - its arguments
 * @returns the handle
 */
export function spawnChild(script: string, args: readonly string[]): KillableChild {
  const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] = [];
  const done = new Promise<ChildEnd>((res) => {
    p.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) {
        w.reject(new Error(`child ${path.basename(script)} ended (${String(code ?? signal)}) before printing ${String(w.text)}: ${stderr}`));
      }
      res({ killed: signal === 'SIGKILL', code, stdout, stderr });
    });
  });
  const waitFor = (text: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const m = text.exec(stdout);
      if (m !== null) {
        resolve(m);
      } else if (p.exitCode !== null || p.signalCode !== null) {
        reject(new Error(`child ${path.basename(script)} has ended without printing ${String(text)}: ${stderr}`));
      } else {
        waiters.push({ text, resolve, reject });
      }
    });
  p.stdin.on('error', () => undefined); // a child killed before it read `go`
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of [...waiters]) {
      const m = w.text.exec(stdout);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    ready: waitFor(/^ready\n/m).then(() => undefined),
    go: async (idLine) => {
      p.stdin.write('go\n');
      return (await waitFor(idLine))[1] ?? '';
    },
    waitFor,
    done,
    kill: () => p.kill('SIGKILL'),
  };
}

/**
 * The child side of the protocol: prints `ready`, then resolves when the parent writes a line.
 */
export async function awaitGo(): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => {
      resolve();
    });
  });
  process.stdin.pause();
}

/**
 * A deterministic stream of kill delays in [0, maxMs) (a small LCG), so a failing kill point reproduces.
 *
 * @param seed - the seed
 * @param maxMs - the window
 * @returns the next delay, in ms, at each call
 */
export function killDelays(seed: number, maxMs: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * maxMs;
  };
}

/**
 * Kill points inside a window calibrated by one undisturbed run. Each time a kill lands after the job had already ended
 * (the machine got quicker than during the calibration run), the window shrinks by a quarter, so most kills land
 * mid-job whatever the machine's load does between rounds.
 */
export class KillWindow {
  private readonly fraction: () => number;

  /**
   * @param seed - seed of the kill points (reproducible)
   * @param ms - the calibrated window in milliseconds
   */
  constructor(
    seed: number,
    public ms: number,
  ) {
    this.fraction = killDelays(seed, 1);
  }

  /** The next delay in milliseconds. */
  next(): number {
    return this.fraction() * this.ms;
  }

  /** Records that the last kill landed after the job ended. */
  landedAfterEnd(): void {
    this.ms = Math.max(50, this.ms * 0.75);
  }
}

/** The seed every kill test uses (change it here to explore other kill points). */
export const KILL_SEED = 20261206;

/**
 * Runs the start of one kill round: tells `child` to go, waits `delayMs`, kills it and waits for its end.
 *
 * @param child - a child that printed `ready`
 * @param idLine - the line it prints when its job has started
 * @param delayMs - how long after the job started to kill it
 * @returns the id it printed and how it ended
 */
export async function goAndKill(child: KillableChild, idLine: RegExp, delayMs: number): Promise<{ id: string; end: ChildEnd }> {
  await child.ready;
  const id = await child.go(idLine);
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill();
  return { id, end: await child.done };
}

/**
 * Files under `root` that `isStaging` calls staging (a write's leftovers), found by a full walk.
 *
 * @param root - the folder to walk (missing = nothing)
 * @param isStaging - the test for one file path
 * @returns the leftover files
 */
export function stagingLeft(root: string, isStaging: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (isStaging(p)) {
        out.push(p);
      }
    }
  };
  if (fs.existsSync(root)) {
    walk(root);
  }
  return out;
}
