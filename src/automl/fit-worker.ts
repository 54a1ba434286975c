/**
 * Worker-thread entry of the fit pool (`fit-pool.ts` starts it through `src/util/worker-pool.ts`): runs each
 * {@link FitTask} and answers with the candidates' exported states and validation probabilities (their buffers
 * transferred), or `{ skipped }` when the time budget was spent before it started; a thrown error goes back with its
 * code.
 */
import { serveWorkerTasks } from '../util/worker-pool';
import type { PooledResult } from './fit-pool';
import type { FitTask } from './fit-task';
import { runFitTask } from './fit-task';

/** A task for the worker. */
export interface FitWorkerRequest {
  /** The task. */
  readonly task: FitTask;
  /** Wall-clock deadline (ms since the epoch) of the time budget, when there is one. */
  readonly deadline?: number;
  /** Run even past the deadline (the first model kind is always kept). */
  readonly mustRun: boolean;
}

serveWorkerTasks<FitWorkerRequest, PooledResult>(
  (m) => {
    const deadline = m.deadline;
    if (deadline !== undefined && !m.mustRun && Date.now() >= deadline) {
      return { skipped: true };
    }
    return { candidates: runFitTask(m.task, deadline === undefined ? undefined : () => Date.now() >= deadline).map((c) => ({ model: c.model.state(), proba: c.proba })) };
  },
  (r) => ('candidates' in r ? r.candidates.map((c) => c.proba.buffer as ArrayBuffer) : []),
);
