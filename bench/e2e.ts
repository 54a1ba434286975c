/**
 * End-to-end growth curve: runs the whole local pipeline (`mmh <step>`, one child process per step) on a cohort of
 * N patients and prints, per step, its time (as the pipeline measures it, and the child's wall time with the library
 * load), the rows per second of its largest count, its peak RSS, the workspace's disk after it, and — where a peer
 * exists — the ratio of the peer's time to the step's, the peer run in this process right after the step, best of
 * 3 rounds:
 *
 * - `import-clinical` ↔ DuckDB `read_ndjson` of the same NDJSON files into tables of a database file;
 * - `import-genomic` ↔ a `bcftools query` loop over the same VCF files (when bcftools is installed).
 *
 * The pipeline itself runs once per size (a 10,000-patient run takes ~25 min on 2 cores): sizes are compared with
 * each other (time per patient, growth per 10× over linear), not rounds. The machine's load average is printed
 * beside every figure; absolute seconds on a shared machine are context only.
 *
 * Run: `node --import tsx bench/e2e.ts [sizes…] [--preset P] [--mri-size CxRxS] [--cli dist/cli.js] [--keep] [--root DIR] [--from STEP] [--until STEP] [--no-peers]`
 * - sizes: patient counts (`1k`, `10k`, `100k`, `2500`) or preset names (`default`, `coherent`); default `1k`.
 *   10k and 100k are opt-in (100k needs ~45 GB of disk and hours; not for CI).
 * - `--preset P`: the per-patient mix for counts (record density, MRI size; default `default`), as `MMH_PATIENTS`
 *   with `MMH_PRESET=P`.
 * - `--mri-size CxRxS`: generated MRI size instead of the preset's (`MMH_MRI_SIZE`), e.g. `64x64x32` for 100k,
 *   whose 128×128×64 MRIs would need ~45 GB for the generated DICOM alone.
 * - `--cli`: a built CLI (`dist/cli.js`, as `npm start` runs); default `src/cli.ts` under tsx.
 * - `--keep`: keep each workspace (default: deleted after its size, to spare the disk). `--root`: where they go.
 * - `--from STEP` / `--until STEP`: run only that range of steps (`--from` reuses the kept workspace as it is).
 * - `--no-peers`: skip the peer runs (on the coherent preset three DuckDB imports of 2.7 GB of NDJSON take minutes).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** What one step cost. */
interface StepRow {
  readonly step: string;
  readonly status: string;
  /** Step time as the pipeline measured it (s), excluding the child's library load. */
  readonly stepS: number;
  /** The child's wall time (s). */
  readonly wallS: number;
  /** CPU time (user + system, s) of the child and the processes it waited for; undefined without /usr/bin/time. */
  readonly cpuS: number | undefined;
  /** Peak resident set of the child's process tree (bytes). */
  readonly peakRss: number;
  /** Workspace bytes after the step (hard links counted once). */
  readonly diskAfter: number;
  /** Workspace bytes before the step. */
  readonly diskBefore: number;
  /** Largest count of the step and its name. */
  readonly rows: number;
  readonly rowsName: string;
  /** Peer name, time (s, best of 3). */
  readonly peer?: { readonly name: string; readonly s: number };
  /** Load average (1 min) when the step ended. */
  readonly load: number;
}

const STEP_LINE = /^\[(ran|skipped|failed)\] ([\w-]+)(?: \(([\d.]+)s\))?/;

function parseArgs(argv: readonly string[]): {
  sizes: string[];
  preset: string;
  mriSize: string | undefined;
  cli: string | undefined;
  keep: boolean;
  root: string;
  from: string | undefined;
  until: string | undefined;
  peers: boolean;
} {
  const sizes: string[] = [];
  let from: string | undefined;
  let until: string | undefined;
  let preset = 'default';
  let mriSize: string | undefined;
  let cli: string | undefined;
  let keep = false;
  let peers = true;
  let root = path.join(os.tmpdir(), 'mmh-bench-e2e');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--preset') {
      preset = argv[++i] ?? preset;
    } else if (a === '--mri-size') {
      mriSize = argv[++i];
    } else if (a === '--cli') {
      cli = argv[++i];
    } else if (a === '--from') {
      from = argv[++i];
    } else if (a === '--until') {
      until = argv[++i];
    } else if (a === '--no-peers') {
      peers = false;
    } else if (a === '--keep') {
      keep = true;
    } else if (a === '--root') {
      root = argv[++i] ?? root;
    } else {
      sizes.push(a);
    }
  }
  return { sizes: sizes.length > 0 ? sizes : ['1k'], preset, mriSize, cli, keep, root, from, until, peers };
}

/** `1k` → {patients 1000, preset}; `coherent` → {preset coherent}; with the MRI size override when one is given. */
function sizeEnv(size: string, preset: string, mriSize?: string): Record<string, string> {
  const m = /^(\d+)(k?)$/i.exec(size);
  const mri: Record<string, string> = mriSize === undefined ? {} : { MMH_MRI_SIZE: mriSize };
  if (m === null) {
    return { MMH_PRESET: size, ...mri };
  }
  return { MMH_PRESET: preset, MMH_PATIENTS: String(Number(m[1]) * (m[2] === '' ? 1 : 1000)), ...mri };
}

/** Resident set of a process and its descendants (bytes), from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // The process ended between readdir and read.
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() ?? 0;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
      total += Number(m?.[1] ?? 0) * 1024;
    } catch {
      // Ended.
    }
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

const GNU_TIME = '/usr/bin/time';

/** User + system CPU seconds GNU time wrote (`%U %S`), or undefined. */
function readCpu(file: string | undefined): number | undefined {
  if (file === undefined) {
    return undefined;
  }
  try {
    const m = /([\d.]+) ([\d.]+)\s*$/.exec(fs.readFileSync(file, 'utf8'));
    return m === null ? undefined : Number(m[1]) + Number(m[2]);
  } catch {
    return undefined;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * The child's arguments for one step: `mmh <step>`, except `dashboard`, which on the command line is the
 * `mmh dashboard` command (own flags, no `[ran] dashboard (Ns)` line, no pipeline state): that step runs through
 * `runPipeline` as `npm start` runs it, from the same library the CLI loads (`src/` under tsx, or the built `dist/`).
 */
function stepArgs(cmd: readonly string[], step: string): string[] {
  if (step !== 'dashboard') {
    return [...cmd, step];
  }
  const lib = path.dirname(cmd[cmd.length - 1] ?? '');
  const script = [
    `const lib = (m) => require(require('node:path').join(${JSON.stringify(lib)}, m));`,
    `const { openWorkspace } = lib('workspace');`,
    `const { runPipeline } = lib('pipeline');`,
    `const { PIPELINE_STEPS } = lib('pipeline-steps');`,
    `(async () => {`,
    `  const ws = await openWorkspace({ create: true });`,
    `  try {`,
    `    const onStep = (o) => console.error('[' + o.status + '] ' + o.name + (o.status === 'ran' ? ' (' + (o.ms / 1000).toFixed(1) + 's)' : ''));`,
    `    const s = await runPipeline(ws, PIPELINE_STEPS, { only: [${JSON.stringify(step)}], onStep });`,
    `    process.exitCode = s.ok ? 0 : 1;`,
    `  } finally {`,
    `    await ws.close();`,
    `  }`,
    `})().catch((e) => { console.error(e); process.exitCode = 1; });`,
  ].join('\n');
  return [...cmd.slice(0, -1), '-e', script];
}

/**
 * Runs one pipeline step as a child process, sampling its tree's RSS every 200 ms; under GNU time (when installed)
 * so its CPU seconds are known too — on a shared machine CPU time varies far less with the load than wall time.
 */
function runStep(
  cmd: readonly string[],
  step: string,
  env: NodeJS.ProcessEnv,
  scratch: string,
): Promise<{ status: string; stepS: number; wallS: number; cpuS: number | undefined; peakRss: number; log: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const cpuFile = fs.existsSync(GNU_TIME) ? path.join(scratch, `cpu-${step}.txt`) : undefined;
    const argv = [process.execPath, ...stepArgs(cmd, step)];
    const child =
      cpuFile === undefined
        ? spawn(process.execPath, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(GNU_TIME, ['-f', '%U %S', '-o', cpuFile, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    let peak = 0;
    const sample = (): void => {
      if (child.pid !== undefined) {
        peak = Math.max(peak, treeRss(child.pid));
      }
    };
    const timer = setInterval(sample, 200);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const wallS = (performance.now() - t0) / 1000;
      const line = log
        .split('\n')
        .map((l) => STEP_LINE.exec(l))
        .find((m) => m?.[2] === step);
      const status = line?.[1] ?? (code === 0 ? 'ran' : 'failed');
      resolve({ status, stepS: Number(line?.[3] ?? 0), wallS, cpuS: readCpu(cpuFile), peakRss: peak, log });
    });
  });
}

function du(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return 0;
  }
}

function listFiles(dir: string, suffix: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .map((f) => path.join(dir, f))
    : [];
}

/** DuckDB `read_ndjson` of every NDJSON file into a table of a fresh database file (s). */
async function duckNdjson(files: readonly string[], scratch: string): Promise<number> {
  const db = path.join(scratch, 'peer.duckdb');
  fs.rmSync(db, { force: true });
  fs.rmSync(`${db}.wal`, { force: true });
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  for (const [i, f] of files.entries()) {
    await conn.run(`CREATE TABLE t${String(i)} AS SELECT * FROM read_ndjson('${f.replace(/'/g, "''")}', sample_size := -1)`);
  }
  conn.closeSync();
  instance.closeSync();
  const s = (performance.now() - t0) / 1000;
  fs.rmSync(db, { force: true });
  return s;
}

/** A `bcftools query` loop over the VCF files (s), or undefined without bcftools. */
function bcftoolsLoop(files: readonly string[], scratch: string): number | undefined {
  try {
    execFileSync('bcftools', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const list = path.join(scratch, 'vcfs.txt');
  fs.writeFileSync(list, files.join('\n'));
  const t0 = performance.now();
  execFileSync('bash', ['-c', `while read -r f; do bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT[\\t%GT]\\n' "$f" > /dev/null; done < '${list}'`]);
  return (performance.now() - t0) / 1000;
}

async function bestOf3(fn: () => Promise<number | undefined> | number | undefined): Promise<number | undefined> {
  let best: number | undefined;
  for (let i = 0; i < 3; i++) {
    const s = await fn();
    if (s !== undefined) {
      best = best === undefined ? s : Math.min(best, s);
    }
  }
  return best;
}

async function peerOf(step: string, dataDir: string, scratch: string): Promise<StepRow['peer']> {
  if (step === 'import-clinical') {
    const files = listFiles(path.join(dataDir, 'clinical'), '.ndjson');
    const s = await bestOf3(() => duckNdjson(files, scratch));
    return s === undefined ? undefined : { name: 'DuckDB read_ndjson → DB file', s };
  }
  if (step === 'import-genomic') {
    const files = listFiles(path.join(dataDir, 'genomic', 'vcf'), '.vcf');
    const s = await bestOf3(() => bcftoolsLoop(files, scratch));
    return s === undefined ? undefined : { name: `bcftools query loop (${String(files.length)} files)`, s };
  }
  return undefined;
}

function readCounts(ws: string, step: string): Record<string, number> {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(ws, 'pipeline-state.json'), 'utf8')) as Record<string, { counts?: Record<string, number> }>;
    return state[step]?.counts ?? {};
  } catch {
    return {};
  }
}

const gb = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const load1 = (): number => os.loadavg()[0] ?? 0;

async function runSize(size: string, opts: ReturnType<typeof parseArgs>, steps: readonly string[], cmd: readonly string[]): Promise<StepRow[]> {
  const ws = path.join(opts.root, `ws-${size}`);
  if (opts.from === undefined) {
    fs.rmSync(ws, { recursive: true, force: true });
  }
  fs.mkdirSync(ws, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(opts.root, 'peer-'));
  const env = { ...process.env, ...sizeEnv(size, opts.preset, opts.mriSize), MMH_WORKSPACE: ws, MMH_PROGRESS: 'silent' };
  const rows: StepRow[] = [];
  let diskBefore = du(ws);
  console.log(
    `\n-- ${size} (${JSON.stringify(sizeEnv(size, opts.preset, opts.mriSize))}), workspace ${ws}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  try {
    for (const step of steps) {
      const r = await runStep(cmd, step, env, scratch);
      const counts = readCounts(ws, step);
      const [rowsName, rowsN] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
      const peer = r.status === 'ran' && opts.peers ? await peerOf(step, path.join(ws, 'dataset'), scratch) : undefined;
      const row: StepRow = {
        step,
        status: r.status,
        stepS: r.stepS,
        wallS: r.wallS,
        cpuS: r.cpuS,
        peakRss: r.peakRss,
        diskAfter: du(ws),
        diskBefore,
        rows: rowsN,
        rowsName,
        ...(peer === undefined ? {} : { peer }),
        load: load1(),
      };
      rows.push(row);
      diskBefore = row.diskAfter;
      const ratio = row.peer === undefined || row.stepS === 0 ? '' : `  peer ${row.peer.name} ${row.peer.s.toFixed(2)} s → ${(row.peer.s / row.stepS).toFixed(3)}× peer`;
      const perS = row.stepS > 0 ? row.rows / row.stepS : 0;
      // Three significant digits at least, so 287 files in 1,076 s reads 0.267 files/s, not 0.
      const rate = perS > 0 ? `${perS >= 100 ? perS.toFixed(0) : perS.toPrecision(3)} ${row.rowsName}/s` : '';
      console.log(
        `${step.padEnd(18)} ${row.status.padEnd(7)} ${row.stepS.toFixed(1).padStart(7)} s (wall ${row.wallS.toFixed(1)} s${row.cpuS === undefined ? '' : `, cpu ${row.cpuS.toFixed(1)} s`})  ${rate.padEnd(28)} peak RSS ${mb(row.peakRss).padStart(9)}  disk ${gb(row.diskAfter)}  load ${row.load.toFixed(2)}${ratio}`,
      );
      if (r.status === 'failed') {
        console.log(r.log.split('\n').slice(-15).join('\n'));
        break;
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!opts.keep) {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }
  const total = rows.reduce((a, r) => a + r.stepS, 0);
  const wall = rows.reduce((a, r) => a + r.wallS, 0);
  const cpu = rows.reduce((a, r) => a + (r.cpuS ?? 0), 0);
  const peak = Math.max(...rows.map((r) => r.peakRss));
  const disk = Math.max(...rows.map((r) => r.diskAfter));
  console.log(
    `total ${size}: steps ${total.toFixed(1)} s (${(total / 60).toFixed(1)} min; wall with per-step library loads ${wall.toFixed(1)} s, cpu ${cpu.toFixed(1)} s), peak RSS ${mb(peak)}, disk ${gb(disk)}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  return rows;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const repo = path.resolve(__dirname, '..');
  const cmd = opts.cli === undefined ? ['--import', 'tsx', path.join(repo, 'src', 'cli.ts')] : [path.resolve(opts.cli)];
  fs.mkdirSync(opts.root, { recursive: true });
  const all = execFileSync(process.execPath, [...cmd, 'steps'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split('\t')[0] ?? '')
    .filter((s) => s !== '');
  const steps = all.slice(opts.from === undefined ? 0 : all.indexOf(opts.from), opts.until === undefined ? all.length : all.indexOf(opts.until) + 1);
  console.log(
    `bench/e2e: ${String(os.cpus().length)} cores, ${gb(os.totalmem())} memory, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; steps: ${steps.join(', ')}`,
  );
  const results = new Map<string, StepRow[]>();
  for (const size of opts.sizes) {
    results.set(size, await runSize(size, opts, steps, cmd));
  }
  printTable(results, steps, opts.preset);
}

/** Disk the step added to the workspace (bytes; negative when it removed more than it wrote). */
function diskAdded(rows: readonly StepRow[], step: string): number {
  const i = rows.findIndex((r) => r.step === step);
  const r = rows[i];
  return r === undefined ? 0 : r.diskAfter - r.diskBefore;
}

/**
 * The growth table (markdown): per step and size its time (pipeline-measured), CPU time, peak RSS and the disk it
 * added; then, against the first size, time and CPU growth divided by the patient ratio (1.00 = linear).
 */
function printTable(results: ReadonlyMap<string, StepRow[]>, steps: readonly string[], preset: string): void {
  const sizes = [...results.keys()];
  const n = (s: string): number => Number(sizeEnv(s, preset).MMH_PATIENTS ?? NaN);
  const base = sizes[0] ?? '';
  const growth = sizes.slice(1).filter((s) => Number.isFinite(n(s) / n(base)));
  console.log(`\n| step | ${sizes.map((z) => `${z}: s / cpu s / peak RSS / +disk`).join(' | ')}${growth.map((z) => ` | ${z} ÷ ${base} over linear (time, cpu)`).join('')} |`);
  console.log(`|---|${sizes.map(() => '---|').join('')}${growth.map(() => '---|').join('')}`);
  const find = (z: string, step: string): StepRow | undefined => results.get(z)?.find((r) => r.step === step);
  for (const step of steps) {
    const cells = sizes.map((z) => {
      const r = find(z, step);
      return r === undefined
        ? '—'
        : `${r.stepS.toFixed(1)} / ${r.cpuS === undefined ? '—' : r.cpuS.toFixed(1)} / ${mb(r.peakRss)} / ${gb(diskAdded(results.get(z) ?? [], step))} (load ${r.load.toFixed(1)})`;
    });
    const ratios = growth.map((z) => {
      const a = find(base, step);
      const b = find(z, step);
      const k = n(z) / n(base);
      const over = (x: number | undefined, y: number | undefined): string => (x !== undefined && y !== undefined && x > 0 ? (y / x / k).toFixed(2) : '—');
      return `${over(a?.stepS, b?.stepS)}, ${over(a?.cpuS, b?.cpuS)}`;
    });
    console.log(`| ${step} | ${cells.join(' | ')}${ratios.map((c) => ` | ${c}`).join('')} |`);
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
