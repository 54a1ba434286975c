/**
 * `openWorkspace`: the one place that knows which backend is in use. It resolves the configuration, checks the
 * workspace folder, opens the SQL engine, and hands out the handles the notebooks use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import type { Backend, WorkspaceConfig, WorkspaceOptions } from './config';
import { resolveConfig } from './config';
import { HealthDataError } from './errors';
import type { ProgressReporter } from './progress';
import { autoProgress } from './progress';
import { AthenaEngine } from './sql/athena-engine';
import { DuckDbEngine } from './sql/duckdb-engine';
import type { SqlEngine } from './sql/engine';
import type { WorkspaceCore } from './workspace-core';
import type { AutomlHandle } from './automl/handle';
import { createAutomlHandle } from './automl/handle';
import type { ClinicalHandle } from './clinical/handle';
import { createClinicalHandle } from './clinical/handle';
import type { FeatureStore } from './features/store';
import { createFeatureStore } from './features/workspace-handle';
import { createImagingStore } from './imaging/store';
import type { ImagingStore } from './imaging/types';
import type { GenomicsHandle } from './genomics/handle';
import { createGenomicsHandle } from './genomics/handle';

export type { WorkspaceCore } from './workspace-core';

/** File name of the workspace marker, written when a workspace is created. */
export const WORKSPACE_MARKER = 'workspace.json';
/** File name of the DuckDB database inside a local workspace. */
export const DATABASE_FILE = 'mmh.duckdb';

/** The marker file's content. */
export interface WorkspaceMarker {
  /** Format version of the workspace folder. */
  readonly version: 1;
  /** Backend the workspace was created for. */
  readonly backend: Backend;
  /** ISO creation time. */
  readonly createdAt: string;
}

/** Extra options of {@link openWorkspace}. */
export interface OpenWorkspaceOptions extends WorkspaceOptions {
  /** Progress reporter for long calls (default: picked from where the code runs). */
  readonly progress?: ProgressReporter;
}

/**
 * An open workspace: the core plus one handle per capability (genomics, clinical, imaging, features, automl).
 */
export interface Workspace extends WorkspaceCore {
  /** Feature store (SageMaker Feature Store semantics): groups, records, point-in-time datasets. */
  readonly features: FeatureStore;
  /** FHIR R4 datastore (HealthLake), cohort labels and clinical features. */
  readonly clinical: ClinicalHandle;
  /** Reference, variant and annotation stores (HealthOmics), genomic import and features. */
  readonly genomics: GenomicsHandle;
  /** Imaging datastore (HealthImaging semantics): DICOM import, image sets, HTJ2K frames, volumes. */
  readonly imaging: ImagingStore;
  /** AutoML (AutoGluon-style TabularPredictor; SageMaker AutoGluon-Tabular on aws): models under `models/`. */
  readonly automl: AutomlHandle;
  /** Closes the handles, the engine and the clients. Safe to call twice. */
  close(): Promise<void>;
}

function checkFolder(config: WorkspaceConfig): void {
  const dir = config.dir;
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) {
      throw new HealthDataError('invalid-config', `openWorkspace: workspace ${dir} is a file, not a folder; set MMH_WORKSPACE (or dir) to a folder`, {
        path: 'dir',
      });
    }
    if (!fs.existsSync(path.join(dir, WORKSPACE_MARKER)) && fs.readdirSync(dir).length > 0 && !config.create) {
      throw new HealthDataError(
        'invalid-config',
        `openWorkspace: ${dir} exists but is not a multimodal-health workspace (no ${WORKSPACE_MARKER}); point MMH_WORKSPACE (or dir) at a workspace, or pass create: true to make one here`,
        { path: 'dir' },
      );
    }
  } else if (!config.create) {
    throw new HealthDataError(
      'not-found',
      `openWorkspace: workspace folder ${dir} does not exist. Run notebook 00-setup or \`npm start\` to create it, or set MMH_WORKSPACE (or dir) to an existing workspace`,
      { path: 'dir' },
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, WORKSPACE_MARKER);
  if (!fs.existsSync(marker)) {
    const m: WorkspaceMarker = { version: 1, backend: config.backend, createdAt: new Date().toISOString() };
    fs.writeFileSync(marker, `${JSON.stringify(m, null, 2)}\n`);
  }
}

/**
 * Opens a workspace on the configured backend.
 *
 * @param options - explicit settings; the rest come from `MMH_*` / `AWS_*` environment variables
 * @returns the open workspace; close it in a `finally` or the notebook's last cell
 * @throws {@link HealthDataError} (invalid-config) naming a bad setting and the accepted values; (not-found) when the workspace folder is missing and `create` is not set; (locked) when another process holds the database past the wait
 * @example
 * ```ts
 * const ws = await openWorkspace({ create: true });
 * console.log(await ws.sql.query('SELECT 42 AS answer'));
 * await ws.close();
 * ```
 */
export async function openWorkspace(options: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const config = resolveConfig(options);
  checkFolder(config);
  const progress = options.progress ?? autoProgress();
  let duckdb: DuckDbEngine | undefined;
  let sql: SqlEngine;
  let athena: AthenaClient | undefined;
  if (config.backend === 'local') {
    duckdb = await DuckDbEngine.create({ path: path.join(config.dir, DATABASE_FILE), lockTimeoutMs: config.lockTimeoutMs, memoryLimit: config.duckdbMemoryLimit, tempDirectory: config.duckdbTempDir });
    sql = duckdb;
  } else {
    athena = new AthenaClient({ region: config.aws.region });
    sql = new AthenaEngine({
      client: athena,
      workGroup: config.aws.athenaWorkGroup,
      database: config.aws.athenaDatabase,
      catalog: config.aws.athenaCatalog,
      ...(config.aws.athenaOutputLocation === undefined ? {} : { outputLocation: config.aws.athenaOutputLocation }),
    });
  }
  const closers: (() => Promise<void> | void)[] = [];
  const core: WorkspaceCore = {
    config,
    backend: config.backend,
    sql,
    duckdb,
    progress,
    path: (...parts: string[]) => path.join(config.dir, ...parts),
    onClose: (fn) => {
      closers.push(fn);
    },
  };
  let closed = false;
  return {
    ...core,
    // Capability handles, built from the core.
    features: createFeatureStore(core),
    clinical: createClinicalHandle(core),
    genomics: createGenomicsHandle(core),
    imaging: createImagingStore(core),
    automl: createAutomlHandle(core),
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      for (const fn of closers.reverse()) {
        await fn();
      }
      await sql.close();
      athena?.destroy();
    },
  };
}
