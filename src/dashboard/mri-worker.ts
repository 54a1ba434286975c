/**
 * Worker-thread entry of the dashboard's MRI encoder (mri.ts starts it): answers each volume with
 * {@link encodeMriSeries} (brain mask, 8-bit levels, deflate) through the library's worker-pool protocol
 * (`util/worker-pool.ts`; an error keeps its code).
 */
import { serveWorkerTasks } from '../util/worker-pool';
import { encodeMriSeries } from './mri';
import type { MriEncodeTask, MriSeriesData } from './mri';

serveWorkerTasks<MriEncodeTask, MriSeriesData>((task) => encodeMriSeries(task));
