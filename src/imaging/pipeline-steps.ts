/**
 * Pipeline steps of the imaging capability: `import-imaging` (the dataset's DICOM into the imaging datastore) and
 * `features-imaging` (radiomics per image set into the `imaging-features` feature group).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelineStep, StepResult } from '../pipeline';
import { libraryVersion } from '../setup';
import type { Workspace } from '../workspace';
import { extractImagingFeatures } from './features';
import { DEFAULT_DATASTORE_NAME } from './store';

/** Feature group written by `features-imaging`. */
export const IMAGING_FEATURE_GROUP = 'imaging-features';

/**
 * Where the dataset keeps its DICOM: `<dataDir>/dicom`, else the raw Coherent layout `<dataDir>/output/dicom`.
 *
 * @param dataDir - dataset folder
 * @returns the folder, or undefined when neither exists
 */
export function findDicomDir(dataDir: string): string | undefined {
  return [path.join(dataDir, 'dicom'), path.join(dataDir, 'output', 'dicom')].find((d) => fs.existsSync(d) && fs.statSync(d).isDirectory());
}

function listing(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {walk(p);}
      else {out.push(`${path.relative(dir, p)}:${String(fs.statSync(p).size)}`);}
    }
  };
  walk(dir);
  return out.sort().join(',');
}

function skipped(ws: Workspace, why: string): { counts: Record<string, number>; outputs: string[] } {
  ws.progress.start(`import-imaging skipped: ${why}`, 0).finish('skipped');
  return { counts: { dicomFiles: 0, skipped: 1 }, outputs: [] };
}

/** Imports `<dataDir>/dicom/**` into the workspace's imaging datastore; skipped with a note when absent. */
export const importImagingStep: PipelineStep = {
  name: 'import-imaging',
  description: 'import the dataset DICOM into the imaging datastore (HealthImaging semantics, HTJ2K frames)',
  fingerprint: (ws) => {
    const dir = findDicomDir(ws.config.dataDir);
    return Promise.resolve(`${libraryVersion()}|${ws.backend}|${dir === undefined ? 'absent' : listing(dir)}`);
  },
  run: async (ws) => {
    const datastoreId = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
    let started;
    if (ws.backend === 'local') {
      const dir = findDicomDir(ws.config.dataDir);
      if (dir === undefined) {
        return skipped(ws, `no DICOM folder at ${path.join(ws.config.dataDir, 'dicom')}`);
      }
      started = await ws.imaging.startDICOMImportJob({ datastoreId, inputDir: dir, jobName: 'pipeline-import-imaging' });
    } else {
      const s3 = ws.config.aws.s3Uri;
      if (s3 === undefined) {
        return skipped(ws, 'MMH_S3_URI is not set, so there is no S3 input for HealthImaging');
      }
      const dir = findDicomDir(ws.config.dataDir);
      if (dir === undefined) {
        return skipped(ws, `no DICOM folder at ${path.join(ws.config.dataDir, 'dicom')}`);
      }
      // The aws store uploads the folder to <MMH_S3_URI>/imaging/dicom-input/ first.
      started = await ws.imaging.startDICOMImportJob({ datastoreId, inputDir: dir, jobName: 'pipeline-import-imaging' });
    }
    const report = await ws.imaging.waitForDICOMImportJob(datastoreId, started.jobId, { progress: ws.progress });
    const s = report.manifest?.jobSummary;
    return {
      counts: {
        scannedFiles: s?.numberOfScannedFiles ?? 0,
        importedFiles: s?.numberOfImportedFiles ?? 0,
        failedFiles: (s?.numberOfFilesWithCustomerError ?? 0) + (s?.numberOfFilesWithServerError ?? 0),
        imageSets: s?.numberOfGeneratedImageSets ?? 0,
      },
      outputs: [report.outputLocation],
    };
  },
};

/** Computes radiomics per image set and writes the `imaging-features` feature group. */
export const featuresImagingStep: PipelineStep = {
  name: 'features-imaging',
  description: 'radiomics (brain, fluid and hyperintense masks) per image set into the imaging-features group',
  fingerprint: async (ws) => {
    const id = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
    const sets = await ws.imaging.searchImageSets(id);
    return `${libraryVersion()}|${ws.backend}|${sets.map((s) => `${s.imageSetId}:${String(s.version)}`).sort().join(',')}`;
  },
  run: async (ws): Promise<StepResult> => {
    const id = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
    const rows = await extractImagingFeatures(ws.imaging, id, { progress: ws.progress });
    if (rows.length === 0) {
      return { counts: { imageSets: 0 }, outputs: [] };
    }
    const report = await ws.features.ingestTable({
      groupName: IMAGING_FEATURE_GROUP,
      rows,
      recordIdentifierFeatureName: 'patient_id',
      eventTimeFeatureName: 'event_time',
      description: 'radiomics and compartment volumes per MR study (event time = study date)',
      featureTypes: { patient_id: 'String', study_instance_uid: 'String', image_set_id: 'String', event_time: 'String' },
      progress: ws.progress,
    });
    return { counts: { imageSets: rows.length, records: report.succeeded, failed: report.failed.length }, outputs: [IMAGING_FEATURE_GROUP] };
  },
};

/** The imaging steps in data-flow order. */
export const IMAGING_PIPELINE_STEPS: readonly PipelineStep[] = [importImagingStep, featuresImagingStep];
