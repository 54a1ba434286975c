/**
 * `mmh serve-model [--port N] [--host H] [--model NAME]… [--workspace DIR]`: serves the workspace's saved models
 * with the model server (`serve.ts`) until SIGINT or SIGTERM (SageMaker stops a container with SIGTERM). The
 * default port is 8080, the port a SageMaker inference container listens on. Only the workspace's `models/` folder
 * is read: the workspace database is not opened, so a long-running server locks nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from '../config';
import { HealthDataError } from '../errors';
import { PREDICTOR_JSON, loadPredictor } from './persist';
import type { RunningModelServer } from './serve';
import { startModelServer } from './serve';

/** Parsed `mmh serve-model` arguments. */
export interface ServeModelArgs {
  /** Port (default 8080; 0 picks a free one). */
  readonly port: number;
  /** Interface (default 127.0.0.1; use 0.0.0.0 inside a container). */
  readonly host: string;
  /** Model names (default: every saved model). */
  readonly models?: readonly string[];
  /** Workspace folder (default: from the environment). */
  readonly workspace?: string;
}

/**
 * Parses the arguments after `mmh serve-model`.
 *
 * @param args - e.g. `['--port', '9000', '--model', 'stroke']`
 * @returns the options
 * @throws {@link HealthDataError} (invalid-input) on an unknown flag, a missing value or a bad port
 */
export function parseServeModelArgs(args: readonly string[]): ServeModelArgs {
  let port = 8080;
  let host = '127.0.0.1';
  let workspace: string | undefined;
  const models: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a !== '--port' && a !== '--host' && a !== '--model' && a !== '--workspace') {
      throw new HealthDataError('invalid-input', `mmh serve-model: unknown option "${String(a)}"; use --port N, --host H, --model NAME (repeatable), --workspace DIR`, { path: String(a) });
    }
    if (v === undefined || v.startsWith('--')) {
      throw new HealthDataError('invalid-input', `mmh serve-model: ${a} needs a value`, { path: a });
    }
    i += 1;
    if (a === '--port') {
      port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new HealthDataError('invalid-input', `mmh serve-model: --port ${v} is not a port number (0-65535)`, { path: '--port' });
      }
    } else if (a === '--host') {
      host = v;
    } else if (a === '--model') {
      models.push(v);
    } else {
      workspace = v;
    }
  }
  return { port, host, ...(models.length === 0 ? {} : { models }), ...(workspace === undefined ? {} : { workspace }) };
}

/**
 * Loads the saved models of a models folder and starts the server; prints the routes.
 *
 * @param modelsDir - the workspace's `models/` folder
 * @param args - parsed arguments
 * @param log - where to print (default console.log)
 * @returns the running server
 * @throws {@link HealthDataError} (not-found) when no model is saved or a named one is missing; (conflict) when the port is taken
 */
export async function runServeModelCommand(modelsDir: string, args: ServeModelArgs, log: (line: string) => void = console.log): Promise<RunningModelServer> {
  const saved = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir).filter((d) => fs.existsSync(path.join(modelsDir, d, PREDICTOR_JSON))) : [];
  const names = args.models ?? saved;
  if (names.length === 0) {
    throw new HealthDataError('not-found', `mmh serve-model: no saved model under ${modelsDir}; run notebook 09 (it saves one per outcome) or save a predictor there`, { path: modelsDir });
  }
  const missing = names.filter((n) => !saved.includes(n));
  if (missing.length > 0) {
    throw new HealthDataError('not-found', `mmh serve-model: no saved model named ${missing.join(', ')} under ${modelsDir}; saved: ${saved.join(', ') || 'none'}`, { path: '--model' });
  }
  const models = Object.fromEntries(names.map((n) => [n, loadPredictor(path.join(modelsDir, n))]));
  const server = await startModelServer({ models, port: args.port, host: args.host });
  log(`serving ${server.models.join(', ')} at ${server.url} (default ${server.defaultModel})`);
  log(`  GET  ${server.url}/ping`);
  log(`  POST ${server.url}/invocations              {"instances": [{…}]}`);
  log(`  GET  ${server.url}/models/<name>             inputs and classes`);
  log(`  POST ${server.url}/models/<name>/invocations`);
  return server;
}

/**
 * The whole command: finds the workspace's models folder, serves until SIGINT/SIGTERM (or `until` resolves), then
 * closes the server.
 *
 * @param argv - the arguments after `serve-model`
 * @param options - `log`, `env` (default process.env) and `until` (tests resolve it instead of sending a signal)
 * @returns the exit code
 * @throws {@link HealthDataError} on bad arguments or when nothing can be served
 */
export async function serveModelMain(
  argv: readonly string[],
  options: { readonly log?: (line: string) => void; readonly env?: Readonly<Record<string, string | undefined>>; readonly until?: Promise<void> } = {},
): Promise<number> {
  const args = parseServeModelArgs(argv);
  const config = resolveConfig({ ...(args.workspace === undefined ? {} : { dir: args.workspace }), ...(options.env === undefined ? {} : { env: options.env }) });
  const server = await runServeModelCommand(path.join(config.dir, 'models'), args, options.log);
  let onSignal: (() => void) | undefined;
  const stop =
    options.until ??
    new Promise<void>((resolve) => {
      onSignal = resolve;
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  try {
    await stop;
  } finally {
    if (onSignal !== undefined) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    await server.close();
  }
  return 0;
}
