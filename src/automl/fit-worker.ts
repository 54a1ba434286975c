/**
 * Worker-thread entry of the fit pool (`fit-pool.ts` starts it through `src/util/worker-pool.ts`): runs each
 * {@link FitTask} and answers with the candidates' exported states and validation probabilities (their buffers
 * transferred), or `{ skipped }` when the time budget was spent before it started; a thrown error goes back with its
 * code.
 */
import { serveWorkerTasks } from '../util/worker-pool';
import type { FitWorkerRequest, PooledResult } from './fit-task';
import { runFitTask } from './fit-task';

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
