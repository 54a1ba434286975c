/**
 * `npm run notebooks:setup` (= `mmh notebooks-setup [--python P]`): registers the TypeScript notebook kernel (tslab)
 * with a Jupyter and checks that it starts.
 *
 * `npx tslab install` writes a kernel spec whose command is the bare word `tslab`, which only resolves where
 * `node_modules/.bin` is on PATH — Jupyter started from a desktop, a conda shell or SageMaker Studio does not have it
 * and fails with `FileNotFoundError: 'tslab'`. The spec written here names the Node.js binary and tslab's entry
 * script by absolute path, so Jupyter can launch the kernel with any PATH.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HealthDataError } from './errors';

/** The name the kernel is registered under (the notebooks' `kernelspec.name`). */
export const KERNEL_NAME = 'tslab';

/** The kernel spec (`kernel.json`) written for Jupyter. */
export interface KernelSpec {
  /** Command line: absolute Node.js binary, absolute tslab entry, `kernel --config-path {connection_file}`. */
  readonly argv: readonly string[];
  /** Name shown in the launcher. */
  readonly display_name: string;
  /** Notebook language. */
  readonly language: string;
}

/**
 * Builds the kernel spec for the tslab package installed beside this library.
 *
 * @param node - the Node.js binary (default: the one running now)
 * @returns the spec, every path absolute
 * @throws {@link HealthDataError} (not-found) when tslab is not installed
 */
export function tslabKernelSpec(node: string = process.execPath): KernelSpec {
  let entry: string;
  try {
    entry = path.join(path.dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
  } catch (e) {
    throw new HealthDataError('not-found', 'notebooks-setup: the tslab package is not installed; run `npm ci` in the project folder first', { cause: e });
  }
  return {
    argv: [path.resolve(node), entry, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (multimodal-health)',
    language: 'typescript',
  };
}

// Installs the spec for this python's Jupyter: into the environment (conda / venv) when the python belongs to one,
// else per user (system-wide as root), as `jupyter kernelspec install` decides.
const INSTALL_PY = `
import os, sys
from jupyter_client.kernelspec import KernelSpecManager
src, name = sys.argv[1], sys.argv[2]
in_env = sys.prefix != getattr(sys, "base_prefix", sys.prefix) or os.path.isdir(os.path.join(sys.prefix, "conda-meta"))
root = hasattr(os, "geteuid") and os.geteuid() == 0
dest = KernelSpecManager().install_kernel_spec(src, name, user=(not in_env and not root), prefix=(sys.prefix if in_env else None), replace=True)
print(dest)
`;

// Starts the kernel the way Jupyter does (by name, with a PATH that has no Node.js on it) and runs one statement.
const CHECK_PY = `
import os, sys
from jupyter_client.manager import start_new_kernel
os.environ["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if not os.path.exists(os.path.join(p, "node")) and "node_modules" not in p)
km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=120)
try:
    got = []
    def hook(msg):
        c = msg.get("content", {})
        if msg["msg_type"] == "execute_result":
            got.append(c["data"].get("text/plain", ""))
        elif msg["msg_type"] == "stream":
            got.append(c.get("text", "").strip())
        elif msg["msg_type"] == "error":
            got.append("error: " + c.get("ename", "") + ": " + c.get("evalue", ""))
    kc.execute_interactive("process.versions.node", timeout=120, output_hook=hook)
    print(" ".join(got))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
`;

/** Options of {@link setupNotebookKernel}. */
export interface KernelSetupOptions {
  /** The python whose Jupyter gets the kernel (default: the one behind `jupyter` on PATH, else `python3`, `python`). */
  readonly python?: string;
  /** Start the kernel once after registering it (default true). */
  readonly check?: boolean;
  /** Where to print what happens (default stdout). */
  readonly log?: (line: string) => void;
}

/** What {@link setupNotebookKernel} did. */
export interface KernelSetupResult {
  /** The python used. */
  readonly python: string;
  /** Folder the kernel spec was installed into. */
  readonly specDir: string;
  /** The spec. */
  readonly spec: KernelSpec;
  /** The Node.js version the started kernel reported (undefined when not checked). */
  readonly kernelNode?: string;
}

// The python behind the `jupyter` command on PATH (its script's #! line), which is the Jupyter the user will start.
function jupyterPython(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'jupyter');
    try {
      const first = fs.readFileSync(file, 'utf8').slice(0, 300).split('\n')[0] ?? '';
      const m = /^#!\s*(\S+)$/.exec(first);
      if (m?.[1] !== undefined && path.isAbsolute(m[1]) && fs.existsSync(m[1])) {
        return m[1];
      }
    } catch {
      // not there, or not a script: try the next folder
    }
  }
  return undefined;
}

function defaultPython(): string {
  const behindJupyter = jupyterPython();
  if (behindJupyter !== undefined) {
    return behindJupyter;
  }
  for (const p of ['python3', 'python']) {
    if (spawnSync(p, ['--version'], { encoding: 'utf8' }).status === 0) {
      return p;
    }
  }
  throw new HealthDataError('not-found', 'notebooks-setup: no python3 or python on PATH; install Jupyter (see README "Notebooks") or pass --python /path/to/python');
}

function runPython(python: string, script: string, args: readonly string[], what: string): string {
  const r = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8', env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
  if (r.error !== undefined || r.status !== 0) {
    const err = (r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ');
    const hint = /No module named|ModuleNotFoundError/.test(err) ? ' — this python has no Jupyter: `pip install jupyterlab` (or use the conda environment), or pass --python' : '';
    throw new HealthDataError('not-found', `notebooks-setup: ${what} with ${python} failed: ${err}${hint}`);
  }
  return r.stdout.trim();
}

/**
 * Registers the tslab kernel (absolute Node.js and tslab paths) with a python's Jupyter and checks that it starts.
 *
 * @param options - python, check, log
 * @returns where the spec went and what the kernel reported
 * @throws {@link HealthDataError} (not-found) when python, Jupyter or tslab is missing, or the kernel does not start
 * @example
 * ```ts
 * await setupNotebookKernel({ python: '/opt/conda/envs/multimodal-health/bin/python' });
 * ```
 */
export function setupNotebookKernel(options: KernelSetupOptions = {}): KernelSetupResult {
  const log =
    options.log ??
    ((l: string): void => {
      console.log(l);
    });
  const python = options.python ?? defaultPython();
  const spec = tslabKernelSpec();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-kernel-'));
  try {
    fs.writeFileSync(path.join(tmp, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
    log(`registering the "${KERNEL_NAME}" kernel for ${python}: ${spec.argv.slice(0, 2).join(' ')} kernel …`);
    const specDir = runPython(python, INSTALL_PY, [tmp, KERNEL_NAME], 'installing the kernel spec').split('\n').at(-1) ?? '';
    log(`kernel spec written to ${specDir}`);
    if (options.check === false) {
      return { python, specDir, spec };
    }
    log('starting the kernel once, with no Node.js on PATH (up to a minute) …');
    const out = runPython(python, CHECK_PY, [KERNEL_NAME], 'starting the kernel');
    const m = /(\d+\.\d+\.\d+)/.exec(out.split('\n').at(-1) ?? '');
    if (m?.[1] === undefined) {
      throw new HealthDataError('backend', `notebooks-setup: the kernel started but did not answer as expected (${out.split('\n').at(-1) ?? ''})`);
    }
    log(`kernel ok: Node.js ${m[1]} answered. Open the notebooks with \`jupyter lab notebooks/\` and pick "${spec.display_name}"`);
    return { python, specDir, spec, kernelNode: m[1] };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
