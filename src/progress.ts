/**
 * Progress reporting for long work: a terminal bar in the CLI (cli-progress), one live line in notebooks, and
 * nothing in tests. Messages carry counts and step names only — never patient data.
 */
import { SingleBar, Presets } from 'cli-progress';
import { HealthDataError } from './errors';

/** Receives progress of one task. */
export interface ProgressTask {
  /** Sets the number of units done so far. */
  update(done: number): void;
  /** Adds `n` (default 1) units done. */
  tick(n?: number): void;
  /** Ends the task; `note` is a short summary such as `1,278 resources`. */
  finish(note?: string): void;
}

/** Creates tasks. Pass one to long-running library calls as `progress`. */
export interface ProgressReporter {
  /**
   * Starts a task.
   *
   * @param label - what is being done, e.g. `import clinical`
   * @param total - units of work, or 0 when unknown
   * @returns the task handle
   */
  start(label: string, total: number): ProgressTask;
}

/** The progress modes (where progress is drawn), as `MMH_PROGRESS` accepts them. */
export const PROGRESS_MODES = ['terminal', 'notebook', 'log', 'silent'] as const;

/** How progress is shown: one of {@link PROGRESS_MODES}. */
export type ProgressMode = (typeof PROGRESS_MODES)[number];

const NOOP_TASK: ProgressTask = {
  update: () => undefined,
  tick: () => undefined,
  finish: () => undefined,
};

/** A reporter that draws nothing (tests, library use without a UI). */
export const silentProgress: ProgressReporter = { start: () => NOOP_TASK };

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60
    ? `${s.toFixed(1)}s`
    : `${Math.floor(s / 60).toString()}m${Math.round(s % 60)
        .toString()
        .padStart(2, '0')}s`;
}

/**
 * Renders one progress line (shared by the notebook and log reporters).
 *
 * @param label - task label
 * @param done - units done
 * @param total - units in all (0 = unknown)
 * @param elapsedMs - time since start
 * @returns the text of the line, e.g. `import clinical ▕████░░░░▏ 50% 500/1,000 2.0s`
 */
export function formatProgressLine(label: string, done: number, total: number, elapsedMs: number): string {
  if (total <= 0) {
    return `${label} ${fmtCount(done)} ${fmtSeconds(elapsedMs)}`;
  }
  const frac = Math.min(1, Math.max(0, done / total));
  const width = 20;
  const full = Math.round(frac * width);
  const bar = '█'.repeat(full) + '░'.repeat(width - full);
  const eta = done > 0 && frac < 1 ? ` eta ${fmtSeconds((elapsedMs / done) * (total - done))}` : '';
  return `${label} ▕${bar}▏ ${Math.floor(frac * 100)
    .toString()
    .padStart(3)}% ${fmtCount(done)}/${fmtCount(total)} ${fmtSeconds(elapsedMs)}${eta}`;
}

/** Output sink for line reporters (defaults to process.stdout). */
export interface LineSink {
  /** Writes text without a newline. */
  write(text: string): unknown;
}

/**
 * A reporter that keeps one updating line (carriage return), the way Jupyter front ends show live progress.
 *
 * @param sink - where to write (defaults to stdout)
 * @param intervalMs - minimum time between redraws
 * @returns the reporter
 */
export function lineProgress(sink: LineSink = process.stdout, intervalMs = 250): ProgressReporter {
  return {
    start(label: string, total: number): ProgressTask {
      const t0 = Date.now();
      let done = 0;
      let last = 0;
      const draw = (force: boolean): void => {
        const now = Date.now();
        if (force || now - last >= intervalMs) {
          last = now;
          sink.write(`\r${formatProgressLine(label, done, total, now - t0)}`);
        }
      };
      draw(true);
      return {
        update(d: number) {
          done = d;
          draw(false);
        },
        tick(n = 1) {
          done += n;
          draw(false);
        },
        finish(note?: string) {
          if (total > 0) {
            done = total;
          }
          draw(true);
          sink.write(note === undefined ? '\n' : ` — ${note}\n`);
        },
      };
    },
  };
}

/**
 * A reporter that prints a line at start and at the end of each task (CI logs, non-TTY pipes).
 *
 * @param sink - where to write (defaults to stderr)
 * @returns the reporter
 */
export function logProgress(sink: LineSink = process.stderr): ProgressReporter {
  return {
    start(label: string, total: number): ProgressTask {
      const t0 = Date.now();
      let done = 0;
      sink.write(`${label}: started${total > 0 ? ` (${fmtCount(total)})` : ''}\n`);
      return {
        update(d: number) {
          done = d;
        },
        tick(n = 1) {
          done += n;
        },
        finish(note?: string) {
          sink.write(`${label}: done ${fmtCount(total > 0 ? total : done)} in ${fmtSeconds(Date.now() - t0)}${note === undefined ? '' : ` — ${note}`}\n`);
        },
      };
    },
  };
}

/**
 * A reporter that draws a cli-progress bar on the terminal.
 *
 * @returns the reporter
 */
export function terminalProgress(): ProgressReporter {
  return {
    start(label: string, total: number): ProgressTask {
      const bar = new SingleBar(
        {
          format: `${label} {bar} {percentage}% {value}/{total} eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      let done = 0;
      bar.start(Math.max(total, 1), 0);
      return {
        update(d: number) {
          done = d;
          bar.update(d);
        },
        tick(n = 1) {
          done += n;
          bar.update(done);
        },
        finish(note?: string) {
          bar.update(total > 0 ? total : done);
          bar.stop();
          if (note !== undefined) {
            process.stderr.write(`  ${note}\n`);
          }
        },
      };
    },
  };
}

/**
 * Picks the reporter that fits where the code runs: a notebook kernel (tslab) gets a live line, a terminal gets a
 * bar, a pipe gets log lines. `MMH_PROGRESS` (`terminal|notebook|log|silent`) overrides the choice.
 *
 * @param mode - force a mode
 * @returns the reporter
 * @throws {@link HealthDataError} (invalid-config) when `MMH_PROGRESS` is set to something else
 */
export function autoProgress(mode?: ProgressMode): ProgressReporter {
  const env = process.env.MMH_PROGRESS;
  const modes: readonly string[] = PROGRESS_MODES;
  if (mode === undefined && env !== undefined && env !== '' && !modes.includes(env)) {
    throw new HealthDataError('invalid-config', `MMH_PROGRESS=${JSON.stringify(env)} is not a progress mode; use one of ${modes.join(', ')} (or unset it)`, { path: 'MMH_PROGRESS' });
  }
  const forced = mode ?? (env === undefined || env === '' ? undefined : (env as ProgressMode));
  const inNotebook = process.argv.some((a) => a.includes('tslab')) || process.env.JPY_PARENT_PID !== undefined;
  const chosen: ProgressMode = forced ?? (inNotebook ? 'notebook' : process.stderr.isTTY ? 'terminal' : 'log');
  switch (chosen) {
    case 'terminal':
      return terminalProgress();
    case 'notebook':
      return lineProgress();
    case 'log':
      return logProgress();
    case 'silent':
      return silentProgress;
  }
}
