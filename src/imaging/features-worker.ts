/**
 * Worker-thread entry of the radiomics pool (features.ts starts it through the library's worker-pool protocol,
 * `util/worker-pool.ts`): answers each {@link WorkerTask} with its features, or with its error's message and code.
 */
import { imagingFeaturesOfVolume } from './features';
import type { WorkerTask } from './features';
import { computeRadiomics } from './radiomics/extract';
import type { RadiomicsFeatures } from './radiomics/types';
import { serveWorkerTasks } from '../util/worker-pool';

serveWorkerTasks<WorkerTask, RadiomicsFeatures>((task) =>
  task.kind === 'volume' ? imagingFeaturesOfVolume(task.volume, { settings: task.settings }) : computeRadiomics(task.image, task.mask, task.settings),
);
