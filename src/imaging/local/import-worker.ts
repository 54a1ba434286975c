/**
 * Worker-thread entry of the local DICOM import's pool (import-job.ts): prepares one file per task
 * (prepare-instance.ts) and answers with the prepared instance, its codestreams transferred.
 */
import { serveWorkerTasks } from '../../util/worker-pool';
import type { PrepareTask } from './import-job';
import { preparedBuffers, prepareInstance } from './prepare-instance';
import type { Prepared } from './prepare-instance';

serveWorkerTasks<PrepareTask, Prepared>((t) => prepareInstance(t.file, t.rel), preparedBuffers);
