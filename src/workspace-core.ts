/**
 * What every store and domain handle is built from: configuration, the SQL engine, paths, progress. A leaf
 * module (it imports only config, progress and the SQL engine types), so the domains depend on it and
 * `workspace.ts` — which builds the handles — depends on the domains, never the other way round.
 */
import type { Backend, WorkspaceConfig } from './config';
import type { ProgressReporter } from './progress';
import type { DuckDbEngine } from './sql/duckdb-engine';
import type { SqlEngine } from './sql/engine';

/**
 * What every capability's handle is built from: configuration, the SQL engine, paths, progress.
 */
export interface WorkspaceCore {
  /** Validated configuration. */
  readonly config: WorkspaceConfig;
  /** Backend in use. */
  readonly backend: Backend;
  /** The SQL engine (DuckDB locally, Athena on AWS). */
  readonly sql: SqlEngine;
  /** The local DuckDB engine when the backend is `local` (for sessions and bulk loads), else undefined. */
  readonly duckdb: DuckDbEngine | undefined;
  /** Progress reporter. */
  readonly progress: ProgressReporter;
  /**
   * A path inside the local workspace folder (job manifests, models, reports live here on both backends).
   *
   * @param parts - path segments
   * @returns the absolute path
   */
  path(...parts: string[]): string;
  /**
   * Registers cleanup to run when the workspace closes (e.g. destroying an AWS SDK client).
   *
   * @param fn - the cleanup
   */
  onClose(fn: () => Promise<void> | void): void;
}
