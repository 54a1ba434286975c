/**
 * Worker-thread entry of the local import (import-pool.ts starts it). A pool worker receives the compiled FHIR schema
 * once in `workerData`, then processes {@link ImportChunk}s posted by the main thread and answers each with its
 * {@link ChunkResult} (or `{ seq, error }`); the schema's element tables get their null prototypes back. A worker started with `compileSchema` compiles the schema, posts it and
 * exits (the definitions it read leave with its heap).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompiledFhirSchema } from '../../formats/fhir/structure';
import { compiledFhirSchema, useCompiledFhirSchema } from '../../formats/fhir/structure';
import type { ImportChunk } from './import-chunk';
import { processChunk } from './import-chunk';
import type { ImportWorkerData } from './import-pool';
import { restoreSchemaPrototypes } from './import-pool';

const port = parentPort;
const data = workerData as ImportWorkerData;
if (port !== null && 'compileSchema' in data) {
  port.postMessage(compiledFhirSchema());
  port.close();
} else if (port !== null) {
  useCompiledFhirSchema(restoreSchemaPrototypes((data as { readonly schema: CompiledFhirSchema }).schema));
  port.on('message', (chunk: ImportChunk) => {
    try {
      port.postMessage(processChunk(chunk));
    } catch (e) {
      port.postMessage({ seq: chunk.seq, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
