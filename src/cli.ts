#!/usr/bin/env node
/**
 * `mmh <command>`: the command-line entry. `mmh pipeline` (= `npm start`) runs every step; `mmh <step>` runs one.
 */
import { parseArgs } from 'node:util';
import { PRESETS, parseMriSize } from './config';
import type { Preset } from './config';
import type { PipelineStep } from './pipeline';
import type * as AutomlServeCommandModule from './automl/serve-command';
import type * as KernelSetupModule from './kernel-setup';
import type * as WorkspaceModule from './workspace';
import type * as DashboardCommandModule from './dashboard/command';
import type * as CohortGenerateModule from './cohort/generate';
import type * as ProgressModule from './progress';
import type * as CohortConvertConvertModule from './cohort/convert/convert';
import type * as PipelineModule from './pipeline';
import type * as PipelineStepsModule from './pipeline-steps';
import type * as AwsCredentialsModule from './aws-credentials';
import type * as AwsCommandModule from './aws/command';
import { HealthDataError, normalizeErrorString, unexpectedErrorTrace } from './errors';

// Everything else is loaded when a command needs it (`load(…)`): the pipeline pulls in DuckDB, the AWS SDK
// clients, TensorFlow.js and danfo.js, which take seconds to load — the command prints what it is doing first.

/** Commands that are not pipeline steps. */
export const COMMANDS = ['pipeline', 'steps', 'help', 'generate', 'convert', 'dashboard', 'serve-model', 'notebooks-setup', 'aws'] as const;

/**
 * Loads a module of this package on demand (CommonJS `require`; callers type it with the module's `import type`).
 *
 * @param id - module path relative to this file
 * @returns the module
 */
function load(id: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on-demand load, typed by the caller
  return require(id);
}

function pipelineSteps(): { readonly PIPELINE_STEPS: readonly PipelineStep[] } {
  return load('./pipeline-steps') as typeof PipelineStepsModule;
}

/**
 * The `mmh --help` text.
 *
 * @returns the text, with the registered steps
 */
export function helpText(): string {
  const { PIPELINE_STEPS } = pipelineSteps();
  return HELP.replace('<steps>', PIPELINE_STEPS.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join('\n'));
}

const HELP = `mmh — multimodal-health

usage:
  mmh pipeline [--force] [--workspace DIR] [--backend local|aws] [--patients N] [--mri-size 64x64x32]
                                                                   run every step (resumable; N and the MRI size override the preset's)
  mmh <step>   [--force] [--workspace DIR] [--backend local|aws]   run one step
  mmh steps                                                        list the steps
  mmh generate --out DIR [--patients N] [--preset tiny|default|coherent|large] [--seed S] [--coverage coherent|full]
               [--no-mri] [--mri-size 128x128x64]
                                                                   write a synthetic cohort in the raw Coherent layout
  mmh convert --from DIR --to DIR                                  Coherent layout (generated or the real zip) → dataset
  mmh dashboard [--out DIR] [--serve] [--port N] [--include-identifiers] [--no-images]
                                                                   write the static dashboard site (and serve it on localhost)
  mmh serve-model [--port 8080] [--host H] [--model NAME]…         serve saved models (GET /ping, POST /invocations)
  mmh notebooks-setup [--python PYTHON]                            register the notebook kernel (tslab) and check it starts
  mmh aws plan | smoke [--force] | teardown [--yes]                AWS: what will be created (IAM policy, costs); tiny run
                                                                   with a call transcript; delete what the workspace made

steps:
<steps>

settings also come from MMH_BACKEND, MMH_WORKSPACE, MMH_DATA, MMH_PRESET, MMH_PATIENTS, MMH_MRI_SIZE, MMH_SEED, AWS_REGION, MMH_S3_URI …
(see README.md).`;

/** The flags of the pipeline, step, generate and convert commands. */
const MAIN_OPTIONS = {
  force: { type: 'boolean', default: false },
  workspace: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  out: { type: 'string' },
  patients: { type: 'string' },
  preset: { type: 'string' },
  seed: { type: 'string' },
  coverage: { type: 'string' },
  'no-mri': { type: 'boolean', default: false },
  'mri-size': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** Parsed flags of the pipeline, step, generate and convert commands. */
type MainValues = ReturnType<typeof parseMainArgs>['values'];

/** Parses the flags of the pipeline, step, generate and convert commands (unknown flags throw). */
function parseMainArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, options: MAIN_OPTIONS });
}

/** The commands with their own flags (serve-model, aws, notebooks-setup, dashboard); undefined for the others. */
async function ownFlagsCommand(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] === 'serve-model') {
    const { serveModelMain } = load('./automl/serve-command') as typeof AutomlServeCommandModule;
    return serveModelMain(argv.slice(1));
  }
  if (argv[0] === 'aws') {
    const { awsCommand } = load('./aws/command') as typeof AwsCommandModule;
    const { checkAwsCredentials } = load('./aws-credentials') as typeof AwsCredentialsModule;
    const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
    return awsCommand(argv.slice(1), io, { steps: pipelineSteps().PIPELINE_STEPS, checkCredentials: checkAwsCredentials });
  }
  if (argv[0] === 'notebooks-setup') {
    const { values: v } = parseArgs({ args: argv.slice(1), options: { python: { type: 'string' }, 'no-check': { type: 'boolean', default: false } } });
    const { setupNotebookKernel } = load('./kernel-setup') as typeof KernelSetupModule;
    setupNotebookKernel({ ...(v.python === undefined ? {} : { python: v.python }), check: !v['no-check'] });
    return 0;
  }
  if (argv[0] === 'dashboard') {
    return dashboardMain(argv);
  }
  return undefined;
}

/** `mmh dashboard`: writes the site and, with --serve, serves it until Ctrl-C. */
async function dashboardMain(argv: readonly string[]): Promise<number> {
  // The dashboard command has its own flags (--serve, --port, --out, --include-identifiers).
  console.error('mmh dashboard: loading the library …');
  const { openWorkspace } = load('./workspace') as typeof WorkspaceModule;
  const { runDashboardCommand } = load('./dashboard/command') as typeof DashboardCommandModule;
  const ws = await openWorkspace({ create: true });
  try {
    const { server } = await runDashboardCommand(ws, argv.slice(1));
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => {
          resolve();
        });
      });
      await server.close();
    }
    return 0;
  } finally {
    await ws.close();
  }
}

/** `mmh generate --out DIR`: writes a synthetic cohort. */
async function generateMain(values: MainValues, out: string): Promise<number> {
  const preset = values.preset ?? 'tiny';
  if (!(PRESETS as readonly string[]).includes(preset)) {
    throw new HealthDataError('invalid-input', `mmh generate: --preset ${preset} is not one of ${PRESETS.join(', ')}`);
  }
  const coverage = values.coverage ?? 'coherent';
  if (coverage !== 'coherent' && coverage !== 'full') {
    throw new HealthDataError('invalid-input', `mmh generate: --coverage ${coverage} is not one of coherent, full`);
  }
  const { generateCohort } = load('./cohort/generate') as typeof CohortGenerateModule;
  const { autoProgress } = load('./progress') as typeof ProgressModule;
  const r = await generateCohort({
    out,
    preset: preset as Preset,
    coverage,
    progress: autoProgress(),
    ...(values.patients === undefined ? {} : { patients: positiveInt('--patients', values.patients) }),
    ...(values.seed === undefined ? {} : { seed: positiveInt('--seed', values.seed, 0) }),
    ...(values['no-mri'] ? { mri: false } : {}),
    ...(values['mri-size'] === undefined ? {} : { mriSize: parseMriSize('--mri-size', values['mri-size'], 'mmh generate') }),
  });
  console.log(`wrote ${r.outputDir} and ${r.groundTruthPath}\n${JSON.stringify(r.counts)}`);
  return 0;
}

/** `mmh convert --from DIR --to DIR`: converts the Coherent layout to a dataset. */
async function convertMain(values: MainValues): Promise<number> {
  if (values.from === undefined || values.to === undefined) {
    throw new HealthDataError('invalid-input', 'mmh convert: give both --from <Coherent output folder> and --to <dataset folder>');
  }
  const { convertCoherent } = load('./cohort/convert/convert') as typeof CohortConvertConvertModule;
  const { autoProgress } = load('./progress') as typeof ProgressModule;
  const report = await convertCoherent({ from: values.from, to: values.to, progress: autoProgress() });
  console.log(`wrote ${values.to}\n${JSON.stringify(report.counts)}`);
  return 0;
}

/** `mmh pipeline` or one step: opens the workspace and runs the steps (only `command` unless it is `pipeline`). */
async function pipelineMain(values: MainValues, command: string, steps: ReturnType<typeof pipelineSteps>['PIPELINE_STEPS']): Promise<number> {
  const only = command === 'pipeline' ? undefined : [command];
  const { openWorkspace } = load('./workspace') as typeof WorkspaceModule;
  const { formatPipelineSummary, runPipeline } = load('./pipeline') as typeof PipelineModule;
  const ws = await openWorkspace({
    create: true,
    ...(values.workspace === undefined ? {} : { dir: values.workspace }),
    ...(values.backend === undefined ? {} : { backend: values.backend }),
    ...(values.patients === undefined ? {} : { patients: positiveInt('--patients', values.patients) }),
    ...(values['mri-size'] === undefined ? {} : { mriSize: parseMriSize('--mri-size', values['mri-size'], `mmh ${command}`) }),
  });
  try {
    if (ws.backend === 'aws') {
      const { checkAwsCredentials } = load('./aws-credentials') as typeof AwsCredentialsModule;
      await checkAwsCredentials();
    }
    const summary = await runPipeline(ws, steps, {
      ...(only === undefined ? {} : { only }),
      force: values.force,
      onStep: (o) => {
        console.error(`[${o.status}] ${o.name}${o.status === 'ran' ? ` (${(o.ms / 1000).toFixed(1)}s)` : ''}`);
      },
    });
    console.log(formatPipelineSummary(summary));
    return summary.ok ? 0 : 1;
  } finally {
    await ws.close();
  }
}

/**
 * Runs the CLI.
 *
 * @param argv - arguments after the program name
 * @returns the process exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  const own = await ownFlagsCommand(argv);
  if (own !== undefined) {
    return own;
  }
  const { values, positionals } = parseMainArgs(argv);
  const command = positionals[0] ?? 'pipeline';
  if (values.help || command === 'help') {
    console.log(helpText());
    return 0;
  }
  if (command !== 'steps') {
    console.error(`mmh ${command}: loading the library (DuckDB, the AWS SDK clients, TensorFlow.js) …`);
  }
  const { PIPELINE_STEPS } = pipelineSteps();
  if (command === 'steps') {
    console.log(PIPELINE_STEPS.map((s) => `${s.name}\t${s.description}`).join('\n'));
    return 0;
  }
  const known = [...COMMANDS, ...PIPELINE_STEPS.map((s) => s.name)];
  if (!known.includes(command)) {
    throw new HealthDataError(
      'invalid-input',
      `mmh: unknown command "${command}"; commands are ${COMMANDS.join(', ')}, and the steps ${PIPELINE_STEPS.map((s) => s.name).join(', ')} (see mmh --help)`,
    );
  }
  if (command === 'generate' && values.out !== undefined) {
    return generateMain(values, values.out);
  }
  if (command === 'convert' && (values.from !== undefined || values.to !== undefined)) {
    return convertMain(values);
  }
  return pipelineMain(values, command, PIPELINE_STEPS);
}

function positiveInt(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new HealthDataError('invalid-input', `mmh: ${flag} ${text} is not an integer ≥ ${String(min)}`);
  }
  return n;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const trace = unexpectedErrorTrace(e);
      console.error(`mmh: ${normalizeErrorString(e)}${trace === undefined ? '' : `\nunexpected; please report it with where it was thrown:\n${trace}`}`);
      process.exitCode = 2;
    },
  );
}
