/**
 * Worker-thread entry of the dashboard's MRI encoder (mri.ts starts it): answers `{ id, voxels, size, spacingMm }`
 * with `{ id, data }` ({@link encodeMriSeries}: brain mask, 8-bit levels, deflate) or `{ id, error, code }`.
 */
import { parentPort } from 'node:worker_threads';
import { encodeMriSeries } from './mri';
import type { MriEncodeTask } from './mri';

const port = parentPort;
if (port !== null) {
  port.on('message', (task: MriEncodeTask) => {
    try {
      port.postMessage({ id: task.id, data: encodeMriSeries(task) });
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
      port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e), code });
    }
  });
}
