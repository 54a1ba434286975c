/**
 * `mmh aws plan | smoke | teardown [--yes]`: the commands for users with an AWS account (docs/aws.md).
 * Nothing here prints a credential: the plan is computed from the configuration, the smoke transcript holds command
 * inputs without bodies, and the identity check shows only the last 4 characters of the access key id.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import { HealthLakeClient } from '@aws-sdk/client-healthlake';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { resolveConfig } from '../config';
import type { WorkspaceOptions } from '../config';
import { HealthDataError } from '../errors';
import type { PipelineStep } from '../pipeline';
import { openWorkspace } from '../workspace';
import { awsPlan, formatPlan } from './plan';
import { awsSmoke } from './smoke';
import { formatTeardownList, listTeardown, runTeardown } from './teardown';
import type { TeardownClients } from './teardown';

/** Where the command writes (the CLI passes process streams; tests collect the text). */
export interface AwsCommandIo {
  /** Normal output. */
  out(text: string): void;
  /** Progress and notes. */
  err(text: string): void;
}

/** Options of {@link awsCommand}. */
export interface AwsCommandOptions extends WorkspaceOptions {
  /** The pipeline steps (for smoke). */
  readonly steps: readonly PipelineStep[];
  /** Checks credentials before calling AWS (the CLI passes the real check). */
  readonly checkCredentials?: () => Promise<string>;
  /** Clients for teardown (default: new ones for the configured region). */
  readonly clients?: TeardownClients;
}

/**
 * Runs `mmh aws <sub>`.
 *
 * @param argv - arguments after `aws` (`plan`, `smoke [--force]`, `teardown [--yes]`)
 * @param io - output
 * @param options - workspace options, steps, credential check
 * @returns the exit code
 * @throws {@link HealthDataError} (invalid-input) for an unknown subcommand
 */
export async function awsCommand(argv: readonly string[], io: AwsCommandIo, options: AwsCommandOptions): Promise<number> {
  const sub = argv[0];
  const { steps, checkCredentials, clients, ...wsOptions } = options;
  const config = resolveConfig({ ...wsOptions, backend: 'aws' });
  if (sub === 'plan') {
    const plan = awsPlan(config);
    io.out(formatPlan(plan));
    return plan.problems.length === 0 ? 0 : 1;
  }
  if (sub === 'smoke') {
    if (checkCredentials !== undefined) {
      io.err(`AWS identity: access key ${await checkCredentials()}\n`);
    }
    const ws = await openWorkspace({ ...wsOptions, backend: 'aws', create: true, preset: 'tiny' });
    try {
      const r = await awsSmoke(ws, steps, { force: argv.includes('--force') });
      io.out(`${r.summary.ok ? 'smoke run finished' : 'smoke run FAILED'}: ${String(r.calls)} AWS calls (${String(r.failedCalls)} failed)\ntranscript: ${r.transcript}\nsummary: ${r.summaryFile}\n`);
      return r.summary.ok ? 0 : 1;
    } finally {
      await ws.close();
    }
  }
  if (sub === 'teardown') {
    if (checkCredentials !== undefined) {
      io.err(`AWS identity: access key ${await checkCredentials()}\n`);
    }
    const region = config.aws.region;
    const c: TeardownClients = clients ?? {
      healthlake: new HealthLakeClient({ region }),
      imaging: new MedicalImagingClient({ region }),
      sagemaker: new SageMakerClient({ region }),
      glue: new GlueClient({ region }),
      s3: new S3Client({ region }),
    };
    try {
      const items = await listTeardown(config, c);
      io.out(formatTeardownList(items));
      if (items.length === 0) {
        return 0;
      }
      if (!argv.includes('--yes')) {
        io.out('Nothing was deleted. Run `mmh aws teardown --yes` to delete the resources listed above.\n');
        return 0;
      }
      const outcomes = await runTeardown(config, c, items, (o) => {
        io.out(`${o.result === 'deleted' ? 'deleted' : `NOT deleted (${o.result.failed})`}: ${o.item.kind} ${o.item.name}\n`);
      });
      return outcomes.every((o) => o.result === 'deleted' || o.item.kind === 'glue-database') ? 0 : 1;
    } finally {
      if (clients === undefined) {
        for (const x of Object.values(c) as { destroy(): void }[]) {
          x.destroy();
        }
      }
    }
  }
  throw new HealthDataError('invalid-input', `mmh aws: unknown subcommand ${JSON.stringify(sub ?? '')}; use plan, smoke [--force] or teardown [--yes]`);
}
