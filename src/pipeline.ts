/**
 * The main job: every registered step in order, on one workspace, resumable.
 *
 * A step is skipped when its recorded fingerprint (a string the step computes from its inputs and settings) is
 * unchanged since it last completed and the outputs it reported (absolute paths) still exist, so re-running `npm start` after an interruption picks up where it stopped.
 * State lives in `<workspace>/pipeline-state.json`, written atomically after each step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAwsCredentials } from './aws-credentials';
import { HealthDataError, normalizeErrorString, unexpectedErrorTrace } from './errors';
import type { Step } from './step';
import type { Workspace } from './workspace';

export type { Step, StepResult } from './step';

/** One step of the pipeline, over the whole workspace (see {@link Step} for a step that reads part of it). */
export type PipelineStep = Step<Workspace>;

/** How a step ended in one pipeline run. */
export interface StepOutcome {
  /** Step name. */
  readonly name: string;
  /** `ran`, `skipped` (already current) or `failed`. */
  readonly status: 'ran' | 'skipped' | 'failed';
  /** Wall time in ms (0 when skipped). */
  readonly ms: number;
  /** Counts (from this run, or from the run that produced the current outputs). */
  readonly counts: Readonly<Record<string, number>>;
  /** Outputs. */
  readonly outputs: readonly string[];
  /** Error message when failed. */
  readonly error?: string;
  /** Where the error was thrown, when it was unexpected (a bug rather than bad input): {@link unexpectedErrorTrace}. */
  readonly trace?: string;
}

/** Summary of a pipeline run. */
export interface PipelineSummary {
  /** Workspace folder. */
  readonly workspace: string;
  /** Backend. */
  readonly backend: string;
  /** Outcome of each step, in order. */
  readonly steps: readonly StepOutcome[];
  /** True when no step failed. */
  readonly ok: boolean;
}

interface StepState {
  readonly fingerprint: string;
  readonly completedAt: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly outputs: readonly string[];
}

type PipelineState = Record<string, StepState>;

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** Run only these steps (by name), in pipeline order. */
  readonly only?: readonly string[];
  /** Run even if current. */
  readonly force?: boolean;
  /** Called after each step (the CLI prints a line). */
  readonly onStep?: (outcome: StepOutcome) => void;
  /** Called when a step is about to run (not for steps skipped as current). */
  readonly onStart?: (name: string) => void;
}

function statePath(ws: Workspace): string {
  return ws.path('pipeline-state.json');
}

function readState(ws: Workspace): PipelineState {
  try {
    return JSON.parse(fs.readFileSync(statePath(ws), 'utf8')) as PipelineState;
  } catch {
    return {};
  }
}

function writeState(ws: Workspace, state: PipelineState): void {
  const file = statePath(ws);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Runs pipeline steps in order; stops at the first failure (later steps depend on earlier ones).
 *
 * @param ws - the open workspace
 * @param steps - the steps, in order
 * @param options - subset, force, per-step callback
 * @returns the summary (also when a step failed: `ok` is false and the failed step carries its error)
 * @throws {@link HealthDataError} (invalid-input) when `only` names an unknown step
 */
export async function runPipeline(ws: Workspace, steps: readonly PipelineStep[], options: RunPipelineOptions = {}): Promise<PipelineSummary> {
  const names = steps.map((s) => s.name);
  for (const n of options.only ?? []) {
    if (!names.includes(n)) {
      throw new HealthDataError('invalid-input', `runPipeline: unknown step "${n}"; steps are: ${names.join(', ')}`, { path: 'only' });
    }
  }
  const selected = options.only === undefined ? steps : steps.filter((s) => options.only?.includes(s.name) === true);
  const state = readState(ws);
  const outcomes: StepOutcome[] = [];
  for (const step of selected) {
    const t0 = Date.now();
    let outcome: StepOutcome;
    try {
      const fp = await step.fingerprint(ws);
      const prev = state[step.name];
      // A step is current when its inputs are unchanged AND its outputs are still there (a deleted dataset re-runs).
      const outputsPresent = prev?.outputs.every((o) => !path.isAbsolute(o) || fs.existsSync(o)) ?? false;
      if (options.force !== true && prev?.fingerprint === fp && outputsPresent) {
        outcome = { name: step.name, status: 'skipped', ms: 0, counts: prev.counts, outputs: prev.outputs };
      } else {
        options.onStart?.(step.name);
        const result = await step.run(ws);
        state[step.name] = { fingerprint: fp, completedAt: new Date().toISOString(), counts: result.counts, outputs: result.outputs };
        writeState(ws, state);
        outcome = { name: step.name, status: 'ran', ms: Date.now() - t0, counts: result.counts, outputs: result.outputs };
      }
    } catch (e) {
      const trace = unexpectedErrorTrace(e);
      outcome = { name: step.name, status: 'failed', ms: Date.now() - t0, counts: {}, outputs: [], error: normalizeErrorString(e), ...(trace === undefined ? {} : { trace }) };
    }
    outcomes.push(outcome);
    options.onStep?.(outcome);
    if (outcome.status === 'failed') {
      break;
    }
  }
  return { workspace: ws.config.dir, backend: ws.backend, steps: outcomes, ok: outcomes.every((o) => o.status !== 'failed') };
}

/**
 * Renders a pipeline summary as a plain-text table (counts and paths only — no patient data).
 *
 * @param summary - the summary
 * @returns the text
 */
export function formatPipelineSummary(summary: PipelineSummary): string {
  const lines = [`multimodal-health pipeline — backend ${summary.backend}, workspace ${summary.workspace}`];
  const w = Math.max(4, ...summary.steps.map((s) => s.name.length));
  lines.push(`${'step'.padEnd(w)}  status   time     counts`);
  for (const s of summary.steps) {
    const counts = Object.entries(s.counts)
      .map(([k, v]) => `${k}=${v.toLocaleString('en-US')}`)
      .join(' ');
    const time = s.status === 'skipped' ? 'current' : `${(s.ms / 1000).toFixed(1)}s`;
    lines.push(`${s.name.padEnd(w)}  ${s.status.padEnd(7)}  ${time.padEnd(7)}  ${counts}`);
    if (s.error !== undefined) {
      lines.push(`${' '.repeat(w)}  error: ${s.error}`);
    }
    if (s.trace !== undefined) {
      lines.push(`${' '.repeat(w)}  unexpected; please report it with where it was thrown:`, s.trace);
    }
  }
  const outputs = [...new Set(summary.steps.flatMap((s) => s.outputs))];
  if (outputs.length > 0) {
    lines.push('outputs:');
    for (const o of outputs) {
      lines.push(`  ${o}`);
    }
  }
  lines.push(summary.ok ? 'pipeline finished' : 'pipeline stopped at a failed step; fix it and run again (finished steps are skipped)');
  return lines.join('\n');
}

/** Which steps each step needs first (by name); steps not listed need none. */
export type StepPrerequisites = Readonly<Record<string, readonly string[]>>;

/**
 * The named steps and every step they need, transitively, in pipeline order.
 *
 * @param steps - all steps, in order
 * @param prerequisites - what each step needs first
 * @param names - the steps wanted
 * @returns step names in pipeline order
 * @throws {@link HealthDataError} (invalid-input) naming an unknown step and the known ones
 */
export function withPrerequisites(steps: readonly PipelineStep[], prerequisites: StepPrerequisites, names: readonly string[]): string[] {
  const known = steps.map((s) => s.name);
  const wanted = new Set<string>();
  const visit = (n: string): void => {
    if (!known.includes(n)) {
      throw new HealthDataError('invalid-input', `ensureSteps: unknown step "${n}"; steps are: ${known.join(', ')}`, { path: 'steps' });
    }
    if (!wanted.has(n)) {
      wanted.add(n);
      (prerequisites[n] ?? []).forEach(visit);
    }
  };
  names.forEach(visit);
  return known.filter((n) => wanted.has(n));
}

/** Options of {@link ensurePipelineSteps}. */
export interface EnsureStepsOptions {
  /** Where the lines about each step go (default `console.log`). */
  readonly log?: (line: string) => void;
}

/**
 * Makes sure steps (and what they need) are current: the pipeline's own runner skips current steps and runs missing
 * or stale ones with progress. What notebooks call first, so each runs on its own on an empty workspace.
 *
 * @param ws - the open workspace
 * @param steps - all steps, in order
 * @param prerequisites - what each step needs first
 * @param names - the steps the caller depends on
 * @param options - where to print
 * @returns the run's summary
 * @throws {@link HealthDataError} (invalid-input) for an unknown step; (backend) naming the step that failed and why
 */
export async function ensurePipelineSteps(
  ws: Workspace,
  steps: readonly PipelineStep[],
  prerequisites: StepPrerequisites,
  names: readonly string[],
  options: EnsureStepsOptions = {},
): Promise<PipelineSummary> {
  const log =
    options.log ??
    ((line: string): void => {
      console.log(line);
    });
  const only = withPrerequisites(steps, prerequisites, names);
  if (ws.backend === 'aws') {
    await checkAwsCredentials();
  }
  log(`needs: ${only.join(' → ')} (current steps are skipped; missing ones run now)`);
  const summary = await runPipeline(ws, steps, {
    only,
    onStart: (name) => {
      log(`▶ ${name}: running …`);
    },
    onStep: (o) => {
      if (o.status === 'skipped') {
        log(`✔ ${o.name}: current`);
      } else if (o.status === 'ran') {
        log(`✔ ${o.name}: done in ${(o.ms / 1000).toFixed(1)} s`);
      }
    },
  });
  const failed = summary.steps.find((s) => s.status === 'failed');
  if (failed !== undefined) {
    const e = new HealthDataError(
      'backend',
      `ensureSteps: step "${failed.name}", which this needs, failed: ${failed.error ?? 'no reason given'}. Fix that and run the cell again (finished steps are skipped), or run \`npm run mmh -- ${failed.name}\` in a terminal`,
      { path: failed.name },
    );
    // The message says everything; a stack of library frames would bury it in a notebook.
    e.stack = `${e.name}: ${e.message}`;
    throw e;
  }
  return summary;
}
