/**
 * Worker-thread entry of the fit pool (`fit-pool.ts` starts it): runs each {@link FitTask} and answers with the
 * candidates' exported states and validation probabilities, `{ skipped }` when the time budget was spent before it
 * started, or `{ error }`.
 */
import { parentPort } from 'node:worker_threads';
import type { FitTask, FitTaskReply } from './fit-task';
import { runFitTask } from './fit-task';

/** A message to the worker. */
export interface FitWorkerRequest {
  /** Task id. */
  readonly id: number;
  /** The task. */
  readonly task: FitTask;
  /** Wall-clock deadline (ms since the epoch) of the time budget, when there is one. */
  readonly deadline?: number;
  /** Run even past the deadline (the first model kind is always kept). */
  readonly mustRun: boolean;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (m: FitWorkerRequest) => {
    const deadline = m.deadline;
    let reply: FitTaskReply;
    try {
      if (deadline !== undefined && !m.mustRun && Date.now() >= deadline) {
        reply = { id: m.id, skipped: true };
      } else {
        const candidates = runFitTask(m.task, deadline === undefined ? undefined : () => Date.now() >= deadline).map((c) => ({ model: c.model.state(), proba: c.proba }));
        reply = { id: m.id, candidates };
      }
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e), ...(code === undefined ? {} : { code }) };
    }
    port.postMessage(reply, 'candidates' in reply ? reply.candidates.map((c) => c.proba.buffer as ArrayBuffer) : []);
  });
}
