/**
 * Worker-thread entry of the generator's MRI pool (mri-pool.ts): answers `{ id, spec }` with `{ id, bytes }` (the
 * study's DICOM file, its buffer transferred) or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { writeMriStudy } from './mri/index';
import type { MriPoolTask } from './mri-pool';

const port = parentPort;
if (port !== null) {
  port.on('message', (task: MriPoolTask) => {
    try {
      const bytes = writeMriStudy(task.spec);
      port.postMessage({ id: task.id, bytes }, [bytes.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
