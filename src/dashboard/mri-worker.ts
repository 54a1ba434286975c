/**
 * Worker-thread entry of the dashboard's MRI files (mri.ts starts it): decodes, encodes and writes each image set it
 * is sent with {@link writeMriSeriesFile} (frames → volume, brain mask, 8-bit levels, deflate, `mri/*.js`) through
 * the library's worker-pool protocol (`util/worker-pool.ts`; an error keeps its code).
 */
import { serveWorkerTasks } from '../util/worker-pool';
import { writeMriSeriesFile } from './mri';
import type { MriSeriesTask } from './mri';

serveWorkerTasks<MriSeriesTask, number>((task) => writeMriSeriesFile(task));
