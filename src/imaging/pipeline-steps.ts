/**
 * The imaging steps' work, as library functions the pipeline steps (`src/pipeline-steps.ts`) and notebooks 03/07
 * both call: find and fingerprint the DICOM input, import it, and write the `imaging-features` feature group.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureStore } from '../features/store';
import type { ProgressReporter } from '../progress';
import type { StepResult } from '../step';
import type { WorkspaceCore } from '../workspace-core';
import type { ImagingFeatureRow } from './features';
import { DEFAULT_DATASTORE_NAME } from './store';
import type { ImagingStore } from './types';

/** Feature group written by `features-imaging` and notebook 07. */
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

/**
 * What `import-imaging` reads: every DICOM file's relative path and size.
 *
 * @param dataDir - dataset folder
 * @returns the listing, or `absent` without a DICOM folder
 */
export function dicomInputFingerprint(dataDir: string): string {
  const dir = findDicomDir(dataDir);
  if (dir === undefined) {
    return 'absent';
  }
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        out.push(`${path.relative(dir, p)}:${String(fs.statSync(p).size)}`);
      }
    }
  };
  walk(dir);
  return out.sort().join(',');
}

function skipped(progress: ProgressReporter, why: string): StepResult {
  progress.start(`import-imaging skipped: ${why}`, 0).finish('skipped');
  return { counts: { dicomFiles: 0, skipped: 1 }, outputs: [] };
}

/**
 * Imports the dataset's DICOM folder into the workspace's imaging datastore and waits for the job (on `aws` the
 * store uploads the folder to `<MMH_S3_URI>/imaging/dicom-input/` first). Skipped, with a note, without input.
 *
 * @param ws - the workspace (config, progress, `imaging`)
 * @returns file and image-set counts, and the job's output location
 * @throws {@link HealthDataError} from the imaging store when the job cannot start or fails as a whole
 */
export async function importDicomFolder(ws: Pick<WorkspaceCore, 'config' | 'backend' | 'progress'> & { readonly imaging: ImagingStore }): Promise<StepResult> {
  const datastoreId = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
  if (ws.backend === 'aws' && ws.config.aws.s3Uri === undefined) {
    return skipped(ws.progress, 'MMH_S3_URI is not set, so there is no S3 input for HealthImaging');
  }
  const dir = findDicomDir(ws.config.dataDir);
  if (dir === undefined) {
    return skipped(ws.progress, `no DICOM folder at ${path.join(ws.config.dataDir, 'dicom')}`);
  }
  const started = await ws.imaging.startDICOMImportJob({ datastoreId, inputDir: dir, jobName: 'pipeline-import-imaging' });
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
}

/**
 * Writes radiomics rows (one per MR study) to the `imaging-features` feature group: record id = patient id, event
 * time = study date.
 *
 * @param features - the feature store (`ws.features`)
 * @param rows - the rows (`await extractImagingFeatures(ws.imaging, datastoreId)`)
 * @param progress - optional progress reporter
 * @returns counts `imageSets = records`, `records = succeeded + failed`
 * @throws {@link HealthDataError} from the feature store when the group exists with other feature definitions
 */
export async function writeImagingFeatureGroup(features: FeatureStore, rows: readonly ImagingFeatureRow[], progress?: ProgressReporter): Promise<StepResult> {
  if (rows.length === 0) {
    return { counts: { imageSets: 0 }, outputs: [] };
  }
  const report = await features.ingestTable({
    onSchemaChange: 'recreate',
    groupName: IMAGING_FEATURE_GROUP,
    rows,
    recordIdentifierFeatureName: 'patient_id',
    eventTimeFeatureName: 'event_time',
    description: 'radiomics and compartment volumes per MR study (event time = study date)',
    featureTypes: { patient_id: 'String', study_instance_uid: 'String', image_set_id: 'String', event_time: 'String' },
    ...(progress === undefined ? {} : { progress }),
  });
  return { counts: { imageSets: rows.length, records: report.succeeded, failed: report.failed.length }, outputs: [IMAGING_FEATURE_GROUP] };
}
