/**
 * `mmh aws smoke`: runs the pipeline on the `tiny` cohort on the aws backend and writes a transcript of every AWS
 * call and its result (`<workspace>/aws-smoke/transcript.jsonl`, plus `summary.txt`), so a user can see what ran,
 * what failed and why, and attach the transcript to a report. Credentials never enter the transcript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { PipelineStep, PipelineSummary } from '../pipeline';
import { formatPipelineSummary, runPipeline } from '../pipeline';
import type { Workspace } from '../workspace';
import type { TranscriptEntry } from './transcript';
import { withTranscript } from './transcript';

/** What the smoke run produced. */
export interface SmokeResult {
  /** The pipeline summary. */
  readonly summary: PipelineSummary;
  /** Calls recorded. */
  readonly calls: number;
  /** Calls that failed. */
  readonly failedCalls: number;
  /** The transcript file. */
  readonly transcript: string;
  /** The summary file. */
  readonly summaryFile: string;
}

/**
 * Runs the steps on an aws workspace with a transcript.
 *
 * @param ws - an open workspace with backend aws
 * @param steps - the steps (the CLI passes every registered step)
 * @param options - force re-running steps that are current
 * @returns counts and where the files are
 * @throws {@link HealthDataError} (invalid-config) when the workspace is not on aws
 */
export async function awsSmoke(ws: Workspace, steps: readonly PipelineStep[], options: { readonly force?: boolean } = {}): Promise<SmokeResult> {
  if (ws.backend !== 'aws') {
    throw new HealthDataError('invalid-config', 'mmh aws smoke: the workspace backend is local; set MMH_BACKEND=aws', { path: 'backend' });
  }
  const dir = ws.path('aws-smoke');
  fs.mkdirSync(dir, { recursive: true });
  const transcript = path.join(dir, 'transcript.jsonl');
  fs.writeFileSync(transcript, '');
  let calls = 0;
  let failedCalls = 0;
  const record = (e: TranscriptEntry): void => {
    calls++;
    if (e.outcome !== 'ok') {
      failedCalls++;
    }
    fs.appendFileSync(transcript, `${JSON.stringify(e)}\n`);
  };
  const summary = await withTranscript(() => runPipeline(ws, steps, { force: options.force === true }), record);
  const summaryFile = path.join(dir, 'summary.txt');
  fs.writeFileSync(summaryFile, `${formatPipelineSummary(summary)}\nAWS calls: ${String(calls)} (${String(failedCalls)} failed); transcript: ${transcript}\n`);
  return { summary, calls, failedCalls, transcript, summaryFile };
}
