/**
 * The pipeline step contract, in a leaf module so that a domain can describe its step's work without importing the
 * pipeline runner (`pipeline.ts`) or the workspace (`workspace.ts`).
 */
import type { WorkspaceCore } from './workspace-core';

/** What a step reports when it finishes. */
export interface StepResult {
  /** Named counts, e.g. `{ patients: 40, resources: 5123 }`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Where the outputs are (paths or table names). */
  readonly outputs: readonly string[];
}

/**
 * One step of the pipeline, over the part of the workspace it reads (`W`): a domain names only the handles it
 * needs (e.g. `WorkspaceCore & { clinical: ClinicalHandle }`), and the runner passes the whole workspace.
 */
export interface Step<W extends WorkspaceCore = WorkspaceCore> {
  /** Command-line name, e.g. `generate`. */
  readonly name: string;
  /** One line for `mmh --help` and the summary. */
  readonly description: string;
  /**
   * A string that changes whenever the step's output would change (inputs, settings, code version).
   *
   * @param ws - the open workspace
   * @returns the fingerprint
   */
  fingerprint(ws: W): Promise<string>;
  /**
   * Does the work.
   *
   * @param ws - the open workspace
   * @returns counts and outputs
   */
  run(ws: W): Promise<StepResult>;
}
