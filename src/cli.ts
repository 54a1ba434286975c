#!/usr/bin/env node
/**
 * `mmh <command>`: the command-line entry. `mmh pipeline` (= `npm start`) runs every step; `mmh <step>` runs one.
 */
import { parseArgs } from 'node:util';
import { normalizeErrorString } from './errors';
import { formatPipelineSummary, runPipeline } from './pipeline';
import { PIPELINE_STEPS } from './pipeline-steps';
import { openWorkspace } from './workspace';

const HELP = `mmh — multimodal-health

usage:
  mmh pipeline [--force] [--workspace DIR] [--backend local|aws]   run every step (resumable)
  mmh <step>   [--force] [--workspace DIR] [--backend local|aws]   run one step
  mmh steps                                                        list the steps

steps:
${PIPELINE_STEPS.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join('\n')}

settings also come from MMH_BACKEND, MMH_WORKSPACE, MMH_DATA, MMH_PRESET, MMH_SEED, AWS_REGION, MMH_S3_URI …
(see README.md).`;

/**
 * Runs the CLI.
 *
 * @param argv - arguments after the program name
 * @returns the process exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      workspace: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0] ?? 'pipeline';
  if (values.help || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === 'steps') {
    console.log(PIPELINE_STEPS.map((s) => `${s.name}\t${s.description}`).join('\n'));
    return 0;
  }
  const only = command === 'pipeline' ? undefined : [command];
  const ws = await openWorkspace({
    create: true,
    ...(values.workspace === undefined ? {} : { dir: values.workspace }),
    ...(values.backend === undefined ? {} : { backend: values.backend }),
  });
  try {
    const summary = await runPipeline(ws, PIPELINE_STEPS, {
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`mmh: ${normalizeErrorString(e)}`);
      process.exitCode = 2;
    },
  );
}
