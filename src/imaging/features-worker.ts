/**
 * Worker-thread entry of the radiomics pool (features.ts starts it): answers each {@link WorkerTask} with
 * `{ id, features }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { imagingFeaturesOfVolume } from './features';
import type { WorkerTask } from './features';
import { computeRadiomics } from './radiomics/extract';

const port = parentPort;
if (port !== null) {
  port.on('message', (task: WorkerTask) => {
    try {
      const features = task.kind === 'volume' ? imagingFeaturesOfVolume(task.volume, { settings: task.settings }) : computeRadiomics(task.image, task.mask, task.settings);
      port.postMessage({ id: task.id, features });
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
      port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e), code });
    }
  });
}
