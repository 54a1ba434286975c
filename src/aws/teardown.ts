/**
 * `mmh aws teardown`: finds everything the workspace created on AWS (by the names in {@link AWS_RESOURCE_NAMES} and
 * the workspace S3 prefix), lists it, and — only when confirmed — deletes it: feature groups, the Glue tables (and
 * the database when nothing else is left in it), the HealthImaging image sets and datastore (a datastore with image
 * sets cannot be deleted), the HealthLake datastore (billed per hour while it exists), and the S3 objects under the
 * workspace prefix. Each deletion is reported; a failure is reported and the rest still run.
 */
import { DeleteDatabaseCommand, DeleteTableCommand, GetTableCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import type { GlueClient } from '@aws-sdk/client-glue';
import { DeleteFHIRDatastoreCommand, ListFHIRDatastoresCommand } from '@aws-sdk/client-healthlake';
import type { HealthLakeClient, ListFHIRDatastoresCommandOutput } from '@aws-sdk/client-healthlake';
import { DeleteDatastoreCommand, DeleteImageSetCommand, ListDatastoresCommand, SearchImageSetsCommand } from '@aws-sdk/client-medical-imaging';
import type { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteFeatureGroupCommand, DescribeFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { WorkspaceConfig } from '../config';
import { normalizeErrorString } from '../errors';
import { AWS_RESOURCE_NAMES } from './plan';
import { deleteS3Prefix, listS3 } from './s3';

/** The clients the teardown uses. */
export interface TeardownClients {
  /** HealthLake. */
  readonly healthlake: HealthLakeClient;
  /** HealthImaging. */
  readonly imaging: MedicalImagingClient;
  /** SageMaker (feature groups). */
  readonly sagemaker: SageMakerClient;
  /** Glue. */
  readonly glue: GlueClient;
  /** S3. */
  readonly s3: S3Client;
}

/** One thing to delete. */
export interface TeardownItem {
  /** Kind, in deletion order. */
  readonly kind: 'feature-group' | 'glue-table' | 'glue-database' | 'healthimaging-datastore' | 'healthlake-datastore' | 's3-prefix';
  /** Name or id. */
  readonly name: string;
  /** Detail shown in the listing (status, object count). */
  readonly detail: string;
}

/** What happened to one item. */
export interface TeardownOutcome {
  /** The item. */
  readonly item: TeardownItem;
  /** `deleted` or the reason it was not. */
  readonly result: 'deleted' | { readonly failed: string };
}

const name = (e: unknown): string => (e as { name?: string }).name ?? '';

/**
 * Lists what the workspace created (no deletion).
 *
 * @param config - the workspace configuration (aws)
 * @param c - clients
 * @returns the items, in the order they will be deleted
 */
export async function listTeardown(config: WorkspaceConfig, c: TeardownClients): Promise<TeardownItem[]> {
  const items: TeardownItem[] = [];
  for (const g of AWS_RESOURCE_NAMES.featureGroups) {
    try {
      const d = await c.sagemaker.send(new DescribeFeatureGroupCommand({ FeatureGroupName: g }));
      items.push({ kind: 'feature-group', name: g, detail: d.FeatureGroupStatus ?? '' });
    } catch (e) {
      if (name(e) !== 'ResourceNotFound') {
        throw e;
      }
    }
  }
  const db = config.aws.athenaDatabase;
  for (const t of AWS_RESOURCE_NAMES.glueTables) {
    try {
      await c.glue.send(new GetTableCommand({ DatabaseName: db, Name: t }));
      items.push({ kind: 'glue-table', name: `${db}.${t}`, detail: 'Parquet table' });
    } catch (e) {
      if (name(e) !== 'EntityNotFoundException') {
        throw e;
      }
    }
  }
  if (items.some((i) => i.kind === 'glue-table')) {
    items.push({ kind: 'glue-database', name: db, detail: 'deleted only if no other table is left in it' });
  }
  let token: string | undefined;
  do {
    const page = await c.imaging.send(new ListDatastoresCommand({ ...(token === undefined ? {} : { nextToken: token }) }));
    for (const d of page.datastoreSummaries ?? []) {
      if (
        d.datastoreName === AWS_RESOURCE_NAMES.healthImagingDatastore &&
        d.datastoreId !== undefined &&
        (d.datastoreStatus === 'ACTIVE' || d.datastoreStatus === 'CREATING' || d.datastoreStatus === 'CREATE_FAILED')
      ) {
        items.push({ kind: 'healthimaging-datastore', name: d.datastoreId, detail: `${d.datastoreName} (${d.datastoreStatus}), with its image sets` });
      }
    }
    token = page.nextToken;
  } while (token !== undefined);
  token = undefined;
  do {
    const page: ListFHIRDatastoresCommandOutput = await c.healthlake.send(new ListFHIRDatastoresCommand({ ...(token === undefined ? {} : { NextToken: token }) }));
    for (const d of page.DatastorePropertiesList ?? []) {
      if (
        d.DatastoreName === AWS_RESOURCE_NAMES.healthLakeDatastore &&
        d.DatastoreId !== undefined &&
        (d.DatastoreStatus === 'ACTIVE' || d.DatastoreStatus === 'CREATING' || d.DatastoreStatus === 'CREATE_FAILED')
      ) {
        items.push({ kind: 'healthlake-datastore', name: d.DatastoreId, detail: `${d.DatastoreName} (${d.DatastoreStatus})` });
      }
    }
    token = page.NextToken;
  } while (token !== undefined);
  const s3Uri = config.aws.s3Uri;
  if (s3Uri !== undefined) {
    const objects = await listS3(c.s3, s3Uri);
    if (objects.length > 0) {
      items.push({ kind: 's3-prefix', name: s3Uri, detail: `${String(objects.length)} objects, ${String(Math.round(objects.reduce((a, o) => a + o.size, 0) / 1024))} KiB` });
    }
  }
  return items;
}

async function deleteImagingDatastore(c: TeardownClients, datastoreId: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await c.imaging.send(new SearchImageSetsCommand({ datastoreId, maxResults: 50, ...(token === undefined ? {} : { nextToken: token }) }));
    for (const s of page.imageSetsMetadataSummaries ?? []) {
      if (s.imageSetId !== undefined) {
        await c.imaging.send(new DeleteImageSetCommand({ datastoreId, imageSetId: s.imageSetId }));
      }
    }
    token = page.nextToken;
  } while (token !== undefined);
  await c.imaging.send(new DeleteDatastoreCommand({ datastoreId }));
}

/**
 * Deletes the listed items, in order; each outcome is reported.
 *
 * @param config - the workspace configuration
 * @param c - clients
 * @param items - from {@link listTeardown}
 * @param onOutcome - called as each item is done
 * @returns the outcomes
 */
export async function runTeardown(config: WorkspaceConfig, c: TeardownClients, items: readonly TeardownItem[], onOutcome: (o: TeardownOutcome) => void = () => undefined): Promise<TeardownOutcome[]> {
  const out: TeardownOutcome[] = [];
  for (const item of items) {
    let result: TeardownOutcome['result'] = 'deleted';
    try {
      switch (item.kind) {
        case 'feature-group':
          await c.sagemaker.send(new DeleteFeatureGroupCommand({ FeatureGroupName: item.name }));
          break;
        case 'glue-table': {
          const [db = '', table = ''] = item.name.split('.');
          await c.glue.send(new DeleteTableCommand({ DatabaseName: db, Name: table }));
          break;
        }
        case 'glue-database': {
          const left = await c.glue.send(new GetTablesCommand({ DatabaseName: item.name, MaxResults: 1 }));
          if ((left.TableList ?? []).length > 0) {
            result = { failed: 'kept: other tables are still in it' };
          } else {
            await c.glue.send(new DeleteDatabaseCommand({ Name: item.name }));
          }
          break;
        }
        case 'healthimaging-datastore':
          await deleteImagingDatastore(c, item.name);
          break;
        case 'healthlake-datastore':
          await c.healthlake.send(new DeleteFHIRDatastoreCommand({ DatastoreId: item.name }));
          break;
        case 's3-prefix':
          await deleteS3Prefix(c.s3, config.aws.s3Uri ?? item.name);
          break;
      }
    } catch (e) {
      result = { failed: `${name(e) || 'Error'}: ${normalizeErrorString(e)}` };
    }
    const o = { item, result };
    onOutcome(o);
    out.push(o);
  }
  return out;
}

/**
 * Renders the listing.
 *
 * @param items - what would be deleted
 * @returns text
 */
export function formatTeardownList(items: readonly TeardownItem[]): string {
  if (items.length === 0) {
    return 'Nothing to delete: no resource of this workspace was found.\n';
  }
  return `${['This deletes:', ...items.map((i) => `  - ${i.kind} ${i.name} — ${i.detail}`)].join('\n')}\n`;
}
