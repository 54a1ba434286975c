/**
 * The AWS genomics backend on HealthOmics analytics (`@aws-sdk/client-omics`). Data is then queried through the
 * workspace's Athena engine, from the Glue table the service shares for each store (docs/aws-semantics.md §1).
 *
 * HealthOmics variant and annotation stores closed to new customers on 2025-11-07; accounts without them use
 * {@link S3ParquetVariantTables} (the same schema as Parquet on S3, registered in Glue for Athena).
 */
import {
  CreateAnnotationStoreCommand,
  CreateReferenceStoreCommand,
  CreateVariantStoreCommand,
  GetAnnotationImportJobCommand,
  GetAnnotationStoreCommand,
  GetReferenceImportJobCommand,
  GetVariantImportJobCommand,
  GetVariantStoreCommand,
  OmicsClient,
  paginateListAnnotationStores,
  paginateListReferenceStores,
  paginateListReferences,
  paginateListVariantStores,
  StartAnnotationImportJobCommand,
  StartReferenceImportJobCommand,
  StartVariantImportJobCommand,
} from '@aws-sdk/client-omics';
import type { StoreStatus as SdkStoreStatus } from '@aws-sdk/client-omics';
import { HealthDataError, isHealthDataError } from '../../errors';
import type { WorkspaceCore } from '../../workspace-core';
import type { GenomicsStores, OmicsJobStatus, ReferenceImportJob, ReferenceInfo, ReferenceStoreInfo, OmicsImportJobInput, VariantImportJob, VariantStoreInfo, OmicsWaitOptions } from '../types';
import { TERMINAL_JOB_STATUSES } from '../types';

/**
 * Maps an SDK error to a HealthDataError by its `name` and HTTP status (house style).
 *
 * @param fn - the calling function's name
 * @param e - the SDK error
 * @returns the typed error
 */
export function mapAwsError(fn: string, e: unknown): HealthDataError {
  if (isHealthDataError(e)) {
    return e;
  }
  const name = (e as { name?: string }).name ?? 'Error';
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const msg = e instanceof Error ? e.message : String(e);
  const code =
    name === 'ResourceNotFoundException' || name === 'EntityNotFoundException' || name === 'NoSuchKey' || status === 404
      ? 'not-found'
      : name === 'ValidationException' || name === 'InvalidInputException' || status === 400
        ? 'invalid-input'
        : name === 'ConflictException' || name === 'AlreadyExistsException' || status === 409
          ? 'conflict'
          : 'backend';
  return new HealthDataError(code, `${fn}: AWS returned ${name}${status === undefined ? '' : ` (HTTP ${String(status)})`}: ${msg}`, { cause: e });
}

function req<T>(v: T | undefined, what: string): T {
  if (v === undefined) {
    throw new HealthDataError('backend', `HealthOmics response has no ${what}`);
  }
  return v;
}

function storeInfo(
  s: { id?: string; name?: string; status?: SdkStoreStatus; storeArn?: string; reference?: { referenceArn?: string }; creationTime?: Date; statusMessage?: string; storeFormat?: string },
  annotation: boolean,
): VariantStoreInfo {
  return {
    id: req(s.id, 'id'),
    name: req(s.name, 'name'),
    status: req(s.status, 'status'),
    storeArn: s.storeArn ?? '',
    reference: { referenceArn: s.reference?.referenceArn ?? '' },
    creationTime: s.creationTime ?? new Date(0),
    ...(s.statusMessage === undefined || s.statusMessage === '' ? {} : { statusMessage: s.statusMessage }),
    ...(annotation ? { storeFormat: 'VCF' as const } : {}),
  };
}

/** Options of {@link OmicsGenomicsStores}. */
export interface OmicsGenomicsStoresOptions {
  /** The client (default: a new one for the workspace's region, destroyed on close). */
  readonly client?: OmicsClient;
  /** Default poll interval of the waiters in ms (default 30 000, the SDK waiters' minimum delay). */
  readonly pollMs?: number;
}

/**
 * HealthOmics reference, variant and annotation stores.
 */
export class OmicsGenomicsStores implements GenomicsStores {
  /** Backend tag. */
  readonly backend = 'aws' as const;
  private readonly client: OmicsClient;
  private readonly pollMs: number;

  /**
   * @param ws - the workspace core (config: region, role ARN)
   * @param options - client and poll interval
   */
  constructor(
    private readonly ws: WorkspaceCore,
    options: OmicsGenomicsStoresOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 30_000;
    if (options.client === undefined) {
      const client = new OmicsClient({ region: ws.config.aws.region });
      ws.onClose(() => {
        client.destroy();
      });
      this.client = client;
    } else {
      this.client = options.client;
    }
  }

  private roleArn(fn: string): string {
    const arn = this.ws.config.aws.roleArn;
    if (arn === undefined) {
      throw new HealthDataError('invalid-config', `${fn}: HealthOmics import jobs need a service role; set MMH_ROLE_ARN (aws.roleArn) to a role HealthOmics can assume to read your S3 sources`, {
        path: 'aws.roleArn',
      });
    }
    return arn;
  }

  private async call<T>(fn: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw mapAwsError(fn, e);
    }
  }

  /** @inheritdoc */
  async createReferenceStore(input: { name: string; description?: string }): Promise<ReferenceStoreInfo> {
    const r = await this.call('createReferenceStore', () =>
      this.client.send(new CreateReferenceStoreCommand({ name: input.name, ...(input.description === undefined ? {} : { description: input.description }) })),
    );
    return { id: req(r.id, 'id'), arn: req(r.arn, 'arn'), name: r.name ?? input.name, creationTime: r.creationTime ?? new Date(0) };
  }

  /** @inheritdoc */
  async listReferenceStores(): Promise<ReferenceStoreInfo[]> {
    return this.call('listReferenceStores', async () => {
      const out: ReferenceStoreInfo[] = [];
      for await (const page of paginateListReferenceStores({ client: this.client }, {})) {
        for (const s of page.referenceStores ?? []) {
          out.push({ id: req(s.id, 'id'), arn: req(s.arn, 'arn'), name: s.name ?? '', creationTime: s.creationTime ?? new Date(0) });
        }
      }
      return out;
    });
  }

  /** @inheritdoc */
  async startReferenceImportJob(input: { referenceStoreId: string; sources: readonly { sourceFile: string; name: string; description?: string }[] }): Promise<{ id: string; status: OmicsJobStatus }> {
    const roleArn = this.roleArn('startReferenceImportJob');
    const r = await this.call('startReferenceImportJob', () =>
      this.client.send(new StartReferenceImportJobCommand({ referenceStoreId: input.referenceStoreId, roleArn, sources: input.sources.map((s) => ({ ...s })) })),
    );
    return { id: req(r.id, 'id'), status: req(r.status, 'status') };
  }

  /** @inheritdoc */
  async getReferenceImportJob(input: { referenceStoreId: string; id: string }): Promise<ReferenceImportJob> {
    const r = await this.call('getReferenceImportJob', () => this.client.send(new GetReferenceImportJobCommand({ referenceStoreId: input.referenceStoreId, id: input.id })));
    return {
      id: req(r.id, 'id'),
      referenceStoreId: req(r.referenceStoreId, 'referenceStoreId'),
      status: req(r.status, 'status'),
      ...(r.statusMessage === undefined ? {} : { statusMessage: r.statusMessage }),
      creationTime: r.creationTime ?? new Date(0),
      ...(r.completionTime === undefined ? {} : { completionTime: r.completionTime }),
      sources: (r.sources ?? []).map((s) => ({
        sourceFile: s.sourceFile ?? '',
        name: s.name ?? '',
        status: req(s.status, 'source status'),
        ...(s.statusMessage === undefined ? {} : { statusMessage: s.statusMessage }),
      })),
    };
  }

  /** @inheritdoc */
  waitForReferenceImportJob(input: { referenceStoreId: string; id: string }, options: OmicsWaitOptions = {}): Promise<ReferenceImportJob> {
    return this.poll(input.id, () => this.getReferenceImportJob(input), options);
  }

  /** @inheritdoc */
  async listReferences(referenceStoreId: string): Promise<ReferenceInfo[]> {
    return this.call('listReferences', async () => {
      const out: ReferenceInfo[] = [];
      for await (const page of paginateListReferences({ client: this.client }, { referenceStoreId })) {
        for (const r of page.references ?? []) {
          out.push({ id: req(r.id, 'id'), arn: req(r.arn, 'arn'), name: r.name ?? '', referenceStoreId: r.referenceStoreId ?? referenceStoreId });
        }
      }
      return out;
    });
  }

  /** @inheritdoc */
  async createVariantStore(input: { name: string; reference: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo> {
    const r = await this.call('createVariantStore', () =>
      this.client.send(
        new CreateVariantStoreCommand({ name: input.name, reference: { referenceArn: input.reference.referenceArn }, ...(input.description === undefined ? {} : { description: input.description }) }),
      ),
    );
    return storeInfo({ ...r, reference: { referenceArn: input.reference.referenceArn } }, false);
  }

  /** @inheritdoc */
  async getVariantStore(name: string): Promise<VariantStoreInfo> {
    return storeInfo(await this.call('getVariantStore', () => this.client.send(new GetVariantStoreCommand({ name }))), false);
  }

  /** @inheritdoc */
  async listVariantStores(): Promise<VariantStoreInfo[]> {
    return this.call('listVariantStores', async () => {
      const out: VariantStoreInfo[] = [];
      for await (const page of paginateListVariantStores({ client: this.client }, {})) {
        out.push(...(page.variantStores ?? []).map((s) => storeInfo(s, false)));
      }
      return out;
    });
  }

  /** @inheritdoc */
  async startVariantImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }> {
    const roleArn = this.roleArn('startVariantImportJob');
    const r = await this.call('startVariantImportJob', () =>
      this.client.send(new StartVariantImportJobCommand({ destinationName: input.destinationName, roleArn, items: input.items.map((i) => ({ source: i.source })), runLeftNormalization: false })),
    );
    return { jobId: req(r.jobId, 'jobId') };
  }

  private job(r: {
    id?: string;
    destinationName?: string;
    status?: OmicsJobStatus;
    statusMessage?: string;
    creationTime?: Date;
    updateTime?: Date;
    completionTime?: Date;
    items?: { source?: string; jobStatus?: OmicsJobStatus; statusMessage?: string }[];
  }): VariantImportJob {
    return {
      id: req(r.id, 'id'),
      destinationName: req(r.destinationName, 'destinationName'),
      status: req(r.status, 'status'),
      ...(r.statusMessage === undefined || r.statusMessage === '' ? {} : { statusMessage: r.statusMessage }),
      creationTime: r.creationTime ?? new Date(0),
      updateTime: r.updateTime ?? new Date(0),
      ...(r.completionTime === undefined ? {} : { completionTime: r.completionTime }),
      items: (r.items ?? []).map((i) => ({
        source: i.source ?? '',
        jobStatus: req(i.jobStatus, 'item jobStatus'),
        ...(i.statusMessage === undefined || i.statusMessage === '' ? {} : { statusMessage: i.statusMessage }),
      })),
    };
  }

  /** @inheritdoc */
  async getVariantImportJob(jobId: string): Promise<VariantImportJob> {
    return this.job(await this.call('getVariantImportJob', () => this.client.send(new GetVariantImportJobCommand({ jobId }))));
  }

  /** @inheritdoc */
  waitForVariantImportJob(jobId: string, options: OmicsWaitOptions = {}): Promise<VariantImportJob> {
    return this.poll(jobId, () => this.getVariantImportJob(jobId), options);
  }

  /** @inheritdoc */
  async createAnnotationStore(input: { name: string; storeFormat: 'VCF'; reference?: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo> {
    const r = await this.call('createAnnotationStore', () =>
      this.client.send(
        new CreateAnnotationStoreCommand({
          name: input.name,
          storeFormat: input.storeFormat,
          ...(input.reference === undefined ? {} : { reference: { referenceArn: input.reference.referenceArn } }),
          ...(input.description === undefined ? {} : { description: input.description }),
        }),
      ),
    );
    return storeInfo({ ...r, ...(input.reference === undefined ? {} : { reference: input.reference }) }, true);
  }

  /** @inheritdoc */
  async getAnnotationStore(name: string): Promise<VariantStoreInfo> {
    return storeInfo(await this.call('getAnnotationStore', () => this.client.send(new GetAnnotationStoreCommand({ name }))), true);
  }

  /** @inheritdoc */
  async listAnnotationStores(): Promise<VariantStoreInfo[]> {
    return this.call('listAnnotationStores', async () => {
      const out: VariantStoreInfo[] = [];
      for await (const page of paginateListAnnotationStores({ client: this.client }, {})) {
        out.push(...(page.annotationStores ?? []).map((s) => storeInfo(s, true)));
      }
      return out;
    });
  }

  /** @inheritdoc */
  async startAnnotationImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }> {
    const roleArn = this.roleArn('startAnnotationImportJob');
    const r = await this.call('startAnnotationImportJob', () =>
      this.client.send(new StartAnnotationImportJobCommand({ destinationName: input.destinationName, roleArn, items: input.items.map((i) => ({ source: i.source })), runLeftNormalization: false })),
    );
    return { jobId: req(r.jobId, 'jobId') };
  }

  /** @inheritdoc */
  async getAnnotationImportJob(jobId: string): Promise<VariantImportJob> {
    return this.job(await this.call('getAnnotationImportJob', () => this.client.send(new GetAnnotationImportJobCommand({ jobId }))));
  }

  /** @inheritdoc */
  waitForAnnotationImportJob(jobId: string, options: OmicsWaitOptions = {}): Promise<VariantImportJob> {
    return this.poll(jobId, () => this.getAnnotationImportJob(jobId), options);
  }

  /**
   * The table to query: the store name, which is the Glue table name inside the resource link the account adds
   * to its Athena database (the service's own notebooks query `"default"."<store>"`; set MMH_ATHENA_DATABASE).
   *
   * @param storeName - store name
   * @returns a quoted identifier
   */
  tableName(storeName: string): string {
    return `"${storeName.replace(/"/g, '')}"`;
  }

  private async poll<T extends { status: OmicsJobStatus }>(id: string, get: () => Promise<T>, options: OmicsWaitOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const pollMs = options.pollMs ?? this.pollMs;
    const t0 = Date.now();
    for (;;) {
      const job = await get();
      if (TERMINAL_JOB_STATUSES.has(job.status)) {
        return job;
      }
      if (Date.now() - t0 + pollMs > timeoutMs) {
        throw new HealthDataError('timeout', `wait: HealthOmics job ${id} is still ${job.status} after ${String(Date.now() - t0)} ms; wait longer (timeoutMs) or check the job in the console`, {
          path: id,
        });
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
