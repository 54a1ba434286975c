/**
 * Worker-thread entry of the local import (import-job.ts starts it): receives the compiled FHIR schema once in
 * `workerData`, then processes {@link ImportChunk}s posted by the main thread and answers each with its
 * {@link ChunkResult} (or `{ seq, error }`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompiledFhirSchema } from '../../formats/fhir/structure';
import { useCompiledFhirSchema } from '../../formats/fhir/structure';
import type { ImportChunk } from './import-chunk';
import { processChunk } from './import-chunk';

const port = parentPort;
if (port !== null) {
  useCompiledFhirSchema((workerData as { schema: CompiledFhirSchema }).schema);
  port.on('message', (chunk: ImportChunk) => {
    try {
      port.postMessage(processChunk(chunk));
    } catch (e) {
      port.postMessage({ seq: chunk.seq, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
