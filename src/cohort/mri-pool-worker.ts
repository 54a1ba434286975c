/**
 * Worker-thread entry of the generator's MRI pool (mri-pool.ts): answers each study spec with its DICOM file (the
 * buffer transferred) through the library's worker-pool protocol (`util/worker-pool.ts`).
 */
import { serveWorkerTasks } from '../util/worker-pool';
import { writeMriStudy } from './mri/index';
import type { MriStudySpecContract } from './mri-bridge';

serveWorkerTasks<MriStudySpecContract, Uint8Array>(
  (spec) => writeMriStudy(spec),
  (bytes) => [bytes.buffer as ArrayBuffer],
);
