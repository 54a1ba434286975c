/**
 * Builds the workspace's imaging handle (`ws.imaging`) for its backend. Cheap: no I/O and no client until first use.
 */
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { S3Client } from '@aws-sdk/client-s3';
import type { WorkspaceCore } from '../workspace-core';
import { AwsImagingStore } from './aws/datastore';
import { LocalImagingStore } from './local/datastore';
import type { ImagingStore } from './types';

/** Name of the datastore the pipeline and notebooks use. */
export const DEFAULT_DATASTORE_NAME = 'mmh-imaging';

/**
 * Creates the imaging store for a workspace.
 *
 * @param core - the workspace core
 * @returns the local or AWS store
 */
export function createImagingStore(core: WorkspaceCore): ImagingStore {
  if (core.backend === 'local') {
    return new LocalImagingStore({ root: core.path('imaging'), progress: core.progress });
  }
  let client: MedicalImagingClient | undefined;
  let s3: S3Client | undefined;
  core.onClose(() => {
    client?.destroy();
    s3?.destroy();
  });
  const region = core.config.aws.region;
  const s3Uri = core.config.aws.s3Uri;
  return new AwsImagingStore({
    client: () => (client ??= new MedicalImagingClient(region === undefined ? {} : { region })),
    s3: () => (s3 ??= new S3Client(region === undefined ? {} : { region })),
    ...(core.config.aws.roleArn === undefined ? {} : { roleArn: core.config.aws.roleArn }),
    ...(s3Uri === undefined ? {} : { outputS3Uri: `${s3Uri.replace(/\/$/, '')}/imaging/import-output/`, inputS3Uri: `${s3Uri.replace(/\/$/, '')}/imaging/dicom-input/` }),
    ...(region === undefined ? {} : { region }),
  });
}
