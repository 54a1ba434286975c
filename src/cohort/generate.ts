/**
 * `generateCohort`: writes a synthetic cohort in the raw Coherent layout (`<out>/output/{fhir,dna,dicom}`) plus
 * `<out>/ground-truth.json` and `<out>/generator.json`, streaming patient by patient.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { Preset } from '../config';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import { directoryBundles, makeDirectory } from './directory';
import { renderDnaCsv } from './dna-csv';
import { buildPatientBundle } from './fhir-bundle';
import type { RecordDensity } from './fhir-density';
import type { Coverage, SimPatient } from './model';
import { auroc, RISK_MODEL, simulatePatient } from './model';
import { loadMriModule, tryLoadMriModule } from './mri-bridge';
import type { MriModuleContract, MriStudySpecContract } from './mri-bridge';
import { MriWriterPool } from './mri-pool';
import type { Outcome } from './panel';
import { OUTCOMES, PANEL } from './panel';
import { hashString } from './rng';
import type { OracleReport, OutcomeOracles } from './oracle';
import { computeOracles, ORACLE_MC_PATIENTS } from './oracle';

/** Version of the generator's output format; bump when the output changes for the same seed. */
export const GENERATOR_VERSION = '1.1.0';

/** What a preset generates: patients, record density, MRI volume size (undefined = the MRI module's 128×128×64). */
export interface PresetSettings {
  /** Patients. */
  readonly patients: number;
  /** FHIR record density (fhir-density.ts). */
  readonly density: RecordDensity;
  /** MRI volume size (columns, rows, slices). */
  readonly mriSize?: readonly [number, number, number];
}

/**
 * The presets. `default` is Coherent's 1,278 patients at the study's compact density (≈ 151 resources per patient);
 * `coherent` is the same patients (same labels, genomes and MRI count) at the real release's volume: ≈ 2 M FHIR
 * resources and 256×256×256 MRIs; `large` is 10,000 patients with `default`'s per-patient mix.
 */
export const PRESET_SETTINGS: Readonly<Record<Preset, PresetSettings>> = {
  tiny: { patients: 40, density: 'compact' },
  default: { patients: 1278, density: 'compact' },
  coherent: { patients: 1278, density: 'coherent', mriSize: [256, 256, 256] },
  large: { patients: 10_000, density: 'compact' },
};

/** Patients per preset (`default` and `coherent` are Coherent's 1,278). */
export const PRESET_PATIENTS: Readonly<Record<Preset, number>> = {
  tiny: PRESET_SETTINGS.tiny.patients,
  default: PRESET_SETTINGS.default.patients,
  coherent: PRESET_SETTINGS.coherent.patients,
  large: PRESET_SETTINGS.large.patients,
};

/** Options of {@link generateCohort}. */
export interface GenerateCohortOptions {
  /** Folder to write; receives `output/` (the Coherent zip's root), `ground-truth.json` and `generator.json`. */
  readonly out: string;
  /** Number of patients (overrides the preset's count; the preset's density and MRI size still apply). */
  readonly patients?: number;
  /** Size preset (default `tiny`): patients, record density and MRI size ({@link PRESET_SETTINGS}). */
  readonly preset?: Preset;
  /** FHIR record density (overrides the preset's): `compact` or `coherent` (fhir-density.ts). */
  readonly density?: RecordDensity;
  /** Seed (default 42). */
  readonly seed?: number;
  /** Modality coverage: Synthea's rules (`coherent`, default) or every modality for everyone (`full`). */
  readonly coverage?: Coverage;
  /** Write MRI DICOM files (default true; needs the MRI module). */
  readonly mri?: boolean;
  /** MRI volume size (columns, rows, slices); default the preset's, else the MRI module's 128×128×64. */
  readonly mriSize?: readonly [number, number, number];
  /**
   * Patients of the oracles' Monte Carlo simulation (oracle.ts): default {@link ORACLE_MC_PATIENTS} (100,000) for
   * cohorts of 1,000 patients or more, 20,000 for smaller ones (test cohorts, whose own sampling error dwarfs it).
   */
  readonly oracleMcPatients?: number;
  /**
   * Worker threads writing the MRIs while the main thread writes the bundles (same bytes as in-process; mri-pool.ts).
   * Default: the machine's available parallelism for cohorts of 200 patients or more, none (in-process) below.
   */
  readonly mriWorkers?: number;
  /** Progress reporter. */
  readonly progress?: ProgressReporter;
}

/** What {@link generateCohort} wrote. */
export interface GenerateCohortResult {
  /** The `output/` folder (raw Coherent layout). */
  readonly outputDir: string;
  /** The ground-truth file. */
  readonly groundTruthPath: string;
  /** Counts: patients, bundles, resources, dnaFiles, dicomFiles, bytes. */
  readonly counts: Readonly<Record<string, number>>;
  /** Fingerprint of the settings (equal fingerprints ⇒ byte-identical output). */
  readonly fingerprint: string;
}

/** Ground-truth summary per outcome. */
export interface OutcomeSummary {
  /** Patients with the outcome. */
  readonly cases: number;
  /** Share of patients with the outcome. */
  readonly prevalence: number;
  /** AUROC of the true risk against the drawn outcome in this cohort (every latent variable known, no design). */
  readonly oracleAuroc: number;
  /** Oracle AUROC with 95 % CI per study design and modality set (oracle.ts, docs/cohort.md "Oracles"). */
  readonly oracles: OutcomeOracles['oracles'];
  /** The oracles' Monte Carlo comparison population per design (patients with all three modalities, cases). */
  readonly oraclePopulations: OutcomeOracles['populations'];
  /** Oracles per design and set on the patients having that set's modalities (with their Monte Carlo counts). */
  readonly ownPopulationOracles: OutcomeOracles['ownPopulationOracles'];
}

/** The manifest written beside `output/`. */
export interface GeneratorManifest {
  /** Always `mmh-coherent-generator`. */
  readonly generator: 'mmh-coherent-generator';
  /** Output format version. */
  readonly version: string;
  /** Patients. */
  readonly patients: number;
  /** Seed. */
  readonly seed: number;
  /** Coverage. */
  readonly coverage: Coverage;
  /** Whether DICOM was written. */
  readonly mri: boolean;
  /** MRI size, when set. */
  readonly mriSize: readonly number[] | null;
  /** FHIR record density; absent for `compact` (so compact manifests are as before densities existed). */
  readonly density?: RecordDensity;
  /** Settings fingerprint. */
  readonly fingerprint: string;
}

/** The manifest file name. */
export const GENERATOR_MANIFEST = 'generator.json';

/**
 * Resolves the patient count and fingerprint of a set of options (cheap; used by the pipeline to skip current output).
 *
 * @param opts - generator options
 * @returns patients and fingerprint
 */
export function generatorFingerprint(opts: Omit<GenerateCohortOptions, 'out' | 'progress'>): { patients: number; fingerprint: string } {
  const { patients, density, mriSize } = resolveGeneratorSize(opts);
  const mc = oracleMcSize(opts.oracleMcPatients, patients);
  // The compact density adds nothing to the fingerprint, so cohorts generated before densities existed stay current.
  const fp = `${GENERATOR_VERSION}|oracle-mc=${String(mc)}|n=${String(patients)}|seed=${String(opts.seed ?? 42)}|cov=${opts.coverage ?? 'coherent'}|mri=${String(opts.mri ?? true)}|size=${(mriSize ?? []).join('x')}${density === 'compact' ? '' : `|density=${density}`}`;
  return { patients, fingerprint: fp };
}

/**
 * The patients, record density and MRI size a set of options asks for: explicit options first, then the preset's.
 *
 * @param opts - generator options
 * @returns patients, density and MRI size (undefined = the MRI module's default)
 */
export function resolveGeneratorSize(opts: Pick<GenerateCohortOptions, 'patients' | 'preset' | 'density' | 'mriSize'>): PresetSettings {
  const preset = PRESET_SETTINGS[opts.preset ?? 'tiny'];
  const mriSize = opts.mriSize ?? preset.mriSize;
  return { patients: opts.patients ?? preset.patients, density: opts.density ?? preset.density, ...(mriSize === undefined ? {} : { mriSize }) };
}

/**
 * Reads the manifest of a generated folder.
 *
 * @param out - the folder given to {@link generateCohort}
 * @returns the manifest, or undefined when there is none
 */
export function readGeneratorManifest(out: string): GeneratorManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, GENERATOR_MANIFEST), 'utf8')) as GeneratorManifest;
  } catch {
    return undefined;
  }
}

/**
 * The Coherent file stem of a patient: `Given123_Family456_<uuid>` (Synthea `Exporter.filename`).
 *
 * @param p - the patient
 * @returns the stem
 */
export function patientFileStem(p: Pick<SimPatient, 'given' | 'family' | 'id'>): string {
  return `${p.given}_${p.family}_${p.id}`.replace(/ /g, '_');
}

function fallbackUid(seed: number, kind: 'study' | 'series' | 'sop', n: number): string {
  const salt = 10_000_000 + (hashString(`mri-uid-salt|${String(seed)}`) % 90_000_000);
  const arc = kind === 'study' ? '' : kind === 'series' ? '.1' : '.1.1';
  return `1.2.840.99999999${arc}.${String(salt)}.${String(n)}`;
}

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

function prepareOut(out: string): string {
  const outputDir = path.join(out, 'output');
  if (fs.existsSync(outputDir)) {
    if (readGeneratorManifest(out) === undefined) {
      throw new HealthDataError(
        'conflict',
        `generateCohort: ${outputDir} exists and was not written by this generator (no ${GENERATOR_MANIFEST}); choose an empty folder so nothing of yours is overwritten`,
        { path: out },
      );
    }
    for (const sub of ['fhir', 'dna', 'dicom', 'csv']) {
      fs.rmSync(path.join(outputDir, sub), { recursive: true, force: true });
    }
    fs.rmSync(path.join(out, GENERATOR_MANIFEST), { force: true });
  }
  for (const sub of ['fhir', 'dna', 'dicom']) {
    fs.mkdirSync(path.join(outputDir, sub), { recursive: true });
  }
  return outputDir;
}

/** Checks the cohort size and seed. */
function validateSizes(patients: number, seed: number): void {
  if (!Number.isInteger(patients) || patients < 1 || patients > 1_000_000) {
    throw new HealthDataError('invalid-input', `generateCohort: patients = ${String(patients)} must be an integer from 1 to 1,000,000`, { path: 'patients' });
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new HealthDataError('invalid-input', `generateCohort: seed = ${String(seed)} must be a non-negative integer`, { path: 'seed' });
  }
}

/** Counts of what the generator wrote. */
interface Tally {
  bytes: number;
  resources: number;
  dnaFiles: number;
  dicomFiles: number;
  imaging: number;
  allThree: number;
}

/** The UIDs of a patient's MRI study. */
interface StudyUids {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
}

/** The MRI study spec of patient `i` (seeded per patient, so the pixels do not depend on the worker count). */
function mriStudySpec(
  p: SimPatient & { readonly mri: NonNullable<SimPatient['mri']> },
  i: number,
  seed: number,
  study: StudyUids,
  mriSize: readonly [number, number, number] | undefined,
): MriStudySpecContract {
  return {
    seed: hashString(`mri|${String(seed)}|${String(i)}`),
    ...(mriSize === undefined ? {} : { size: mriSize }),
    effects: p.mri.effects,
    patientId: p.id,
    patientName: `${p.family}^${p.given}`,
    birthDate: ymd(p.birth),
    sex: p.sex,
    studyInstanceUid: study.studyInstanceUid,
    seriesInstanceUid: study.seriesInstanceUid,
    sopInstanceUid: study.sopInstanceUid,
    studyDate: ymd(p.mri.date),
    studyTime: new Date(p.mri.date).toISOString().slice(11, 19).replace(/:/g, ''),
  };
}

/** The patient's ground-truth record (risks, outcomes, factors, hidden traits, the MRI study). */
function groundTruthRecord(p: SimPatient, stem: string, study: StudyUids | undefined): Record<string, unknown> {
  return {
    id: p.id,
    file: `${stem}.json`,
    sex: p.sex,
    birthDate: new Date(p.birth).toISOString().slice(0, 10),
    ageAtEnd: Math.round(p.age * 100) / 100,
    population: p.population,
    modalities: { clinical: true, genomic: p.genomic, imaging: p.mri !== undefined },
    risk: Object.fromEntries(OUTCOMES.map((o) => [o, Math.round(p.risk[o] * 1e6) / 1e6])),
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, isoOrNull(p.outcomes[o]?.onset)])),
    factors: { sbp: r2(p.sbp), ldl: r2(p.ldl), hba1c: r2(p.hba1c), bmi: r2(p.bmi), smoker: p.smoker },
    hidden: { svd: r2(p.svd), neuro: r2(p.neuro), cognition: r2(p.cognition) },
    geneticLogOdds: Object.fromEntries(OUTCOMES.map((o) => [o, r2(p.genetic[o])])),
    mri: p.mri === undefined || study === undefined ? null : { studyInstanceUid: study.studyInstanceUid, date: new Date(p.mri.date).toISOString(), effects: p.mri.effects },
  };
}

/** The ground truth's summary: modality counts, outcome prevalence and the oracle AUROCs. */
function groundTruthSummary(patients: number, t: Tally, oracles: OracleReport, risks: Record<Outcome, number[]>, labels: Record<Outcome, boolean[]>): Record<string, unknown> {
  const { dnaFiles, imaging, allThree } = t;
  return {
    patients,
    modalities: { clinical: patients, genomic: dnaFiles, imaging, allThree },
    outcomes: Object.fromEntries(
      OUTCOMES.map((o): [Outcome, OutcomeSummary] => {
        const cases = labels[o].filter(Boolean).length;
        const { oracles: byDesign, populations, ownPopulationOracles } = oracles.outcomes[o];
        return [o, { cases, prevalence: r4(cases / patients), oracleAuroc: r4(auroc(risks[o], labels[o])), oracles: byDesign, oraclePopulations: populations, ownPopulationOracles }];
      }),
    ),
    oracleMethod: {
      mcPatients: oracles.mcPatients,
      mcSeed: oracles.mcSeed,
      yearsBefore: oracles.yearsBefore,
      population: 'patients with all three modalities at the index date',
      ci: 'DeLong 95% over the Monte Carlo population',
    },
  };
}

/**
 * Writes MRI studies: in this thread without workers, else through the pool with at most two studies per worker
 * waiting in memory (a 256³ study is 33.6 MB).
 */
function mriWriter(
  pool: MriWriterPool | undefined,
  mriModule: MriModuleContract | undefined,
  writeFile: (file: string, data: string | Uint8Array) => void,
): { readonly write: (file: string, spec: MriStudySpecContract) => Promise<void>; readonly inFlight: Set<Promise<void>> } {
  const inFlight = new Set<Promise<void>>();
  const write = async (file: string, spec: MriStudySpecContract): Promise<void> => {
    if (pool === undefined || mriModule === undefined) {
      writeFile(file, (mriModule ?? loadMriModule('generateCohort')).writeMriStudy(spec));
      return;
    }
    // At most two studies per worker wait in memory (a 256³ study is 33.6 MB).
    while (inFlight.size >= 2 * pool.size) {
      await Promise.race(inFlight);
    }
    const done = pool.write(spec).then((dcm) => {
      writeFile(file, dcm);
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done)).catch(() => undefined);
  };
  return { write, inFlight };
}

/** What writing one patient needs: settings, the MRI writer, the output files and the running tallies. */
interface PatientWriter {
  readonly seed: number;
  readonly coverage: Coverage;
  readonly outputDir: string;
  readonly directory: ReturnType<typeof makeDirectory>;
  readonly density: RecordDensity;
  readonly uid: (kind: 'study' | 'series' | 'sop', n: number) => string;
  /** Write MRI studies (only when asked for and the MRI module loaded). */
  readonly writeMri: ((file: string, spec: MriStudySpecContract) => Promise<void>) | undefined;
  readonly mriSize: readonly [number, number, number] | undefined;
  readonly writeFile: (file: string, data: string | Uint8Array) => void;
  /** The ground-truth file descriptor. */
  readonly gt: number;
  readonly tally: Tally;
  readonly risks: Record<Outcome, number[]>;
  readonly labels: Record<Outcome, boolean[]>;
}

/** Simulates patient `i` and writes its bundle, DNA CSV, MRI study and ground-truth record. */
async function writePatient(w: PatientWriter, i: number): Promise<void> {
  const { seed, outputDir, tally, uid } = w;
  const p = simulatePatient(seed, i, w.coverage);
  const stem = patientFileStem(p);
  const study = p.mri === undefined ? undefined : { studyInstanceUid: uid('study', i), seriesInstanceUid: uid('series', i), sopInstanceUid: uid('sop', i) };
  const built = buildPatientBundle(p, { seed, directory: w.directory, stem, density: w.density, ...study });
  for (const n of Object.values(built.counts)) {
    tally.resources += n;
  }
  w.writeFile(path.join(outputDir, 'fhir', `${stem}.json`), JSON.stringify(built.bundle));
  if (p.genomic) {
    w.writeFile(path.join(outputDir, 'dna', `${stem}_dna.csv`), renderDnaCsv(p));
    tally.dnaFiles++;
  }
  if (p.mri !== undefined && study !== undefined) {
    tally.imaging++;
    if (p.genomic) {
      tally.allThree++;
    }
    if (w.writeMri !== undefined) {
      await w.writeMri(path.join(outputDir, 'dicom', `${stem}${study.studyInstanceUid}.dcm`), mriStudySpec({ ...p, mri: p.mri }, i, seed, study, w.mriSize));
      tally.dicomFiles++;
    }
  }
  for (const o of OUTCOMES) {
    w.risks[o].push(p.risk[o]);
    w.labels[o].push(p.outcomes[o] !== undefined);
  }
  fs.writeSync(w.gt, `${i === 0 ? '' : ',\n'}${JSON.stringify(groundTruthRecord(p, stem, study))}`);
}

/**
 * Generates a deterministic synthetic cohort in the raw Coherent layout, with its ground truth.
 *
 * Same options ⇒ byte-identical files. Patients are simulated and written one at a time, so memory stays flat.
 *
 * @param opts - output folder, size, seed, coverage, MRI settings, progress
 * @returns paths, counts and the settings fingerprint
 * @throws {@link HealthDataError} (invalid-input) for a bad patient count or seed; (conflict) when `out/output`
 *   exists and was not written by this generator; (unsupported) when MRIs are requested and the MRI module is absent
 * @example
 * ```ts
 * const res = await generateCohort({ out: './workspace/coherent', preset: 'tiny', seed: 42 });
 * console.log(res.counts.patients, res.outputDir);
 * ```
 */
export async function generateCohort(opts: GenerateCohortOptions): Promise<GenerateCohortResult> {
  const seed = opts.seed ?? 42;
  const { patients, fingerprint } = generatorFingerprint(opts);
  const { density, mriSize } = resolveGeneratorSize(opts);
  validateSizes(patients, seed);
  const coverage = opts.coverage ?? 'coherent';
  const wantMri = opts.mri ?? true;
  const mriModule: MriModuleContract | undefined = wantMri ? loadMriModule('generateCohort') : tryLoadMriModule();
  const uid = (kind: 'study' | 'series' | 'sop', n: number): string => (mriModule ? mriModule.mriUid(seed, kind, n) : fallbackUid(seed, kind, n));
  const outputDir = prepareOut(opts.out);
  const directory = makeDirectory(seed);
  const dirBundles = directoryBundles(directory);
  const tally: Tally = { bytes: 0, resources: 0, dnaFiles: 0, dicomFiles: 0, imaging: 0, allThree: 0 };
  const writeFile = (file: string, data: string | Uint8Array): void => {
    fs.writeFileSync(file, data);
    tally.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  };
  writeFile(path.join(outputDir, 'fhir', 'organizations.json'), JSON.stringify(dirBundles.organizations));
  writeFile(path.join(outputDir, 'fhir', 'practitioners.json'), JSON.stringify(dirBundles.practitioners));

  const gtPath = path.join(opts.out, 'ground-truth.json');
  const gt = fs.openSync(`${gtPath}.tmp`, 'w');
  fs.writeSync(
    gt,
    `{"generator":${JSON.stringify({ name: 'mmh-coherent-generator', version: GENERATOR_VERSION, seed, patients, coverage })},` +
      `"model":${JSON.stringify(RISK_MODEL)},"panel":${JSON.stringify({ markers: PANEL.length, synthetic: PANEL.filter((m) => m.synthetic).map((m) => m.rsid) })},"patients":[\n`,
  );
  const risks: Record<Outcome, number[]> = { hypertension: [], stroke: [], chd: [], alzheimers: [] };
  const labels: Record<Outcome, boolean[]> = { hypertension: [], stroke: [], chd: [], alzheimers: [] };
  const task = (opts.progress ?? silentProgress).start('generate cohort', patients);
  const workers = wantMri && mriModule !== undefined ? (opts.mriWorkers ?? (patients >= 200 ? os.availableParallelism() : 0)) : 0;
  const pool = workers > 0 ? new MriWriterPool(workers) : undefined;
  const { write, inFlight } = mriWriter(pool, mriModule, writeFile);
  const w: PatientWriter = { seed, coverage, outputDir, directory, density, uid, writeMri: wantMri && mriModule !== undefined ? write : undefined, mriSize, writeFile, gt, tally, risks, labels };
  try {
    for (let i = 0; i < patients; i++) {
      await writePatient(w, i);
      task.tick();
      if (i % 64 === 63) {
        // Let the event loop breathe (progress rendering, cancellation) during long runs.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const oracles = cachedOracles(seed, coverage, oracleMcSize(opts.oracleMcPatients, patients), opts.progress);
    await Promise.all(inFlight);
    const summary = groundTruthSummary(patients, tally, oracles, risks, labels);
    fs.writeSync(gt, `\n],"summary":${JSON.stringify(summary)}}\n`);
  } finally {
    fs.closeSync(gt);
    if (pool !== undefined) {
      // On failure, let the studies already submitted settle before the workers stop.
      await Promise.allSettled(inFlight);
      await pool.close();
    }
  }
  fs.renameSync(`${gtPath}.tmp`, gtPath);
  const manifest: GeneratorManifest = {
    generator: 'mmh-coherent-generator',
    version: GENERATOR_VERSION,
    patients,
    seed,
    coverage,
    mri: wantMri,
    mriSize: mriSize ? [...mriSize] : null,
    ...(density === 'compact' ? {} : { density }),
    fingerprint,
  };
  fs.writeFileSync(path.join(opts.out, GENERATOR_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  task.finish(`${patients.toLocaleString('en-US')} patients`);
  return {
    outputDir,
    groundTruthPath: gtPath,
    counts: { patients, bundles: patients, resources: tally.resources, dnaFiles: tally.dnaFiles, dicomFiles: tally.dicomFiles, imagingStudies: tally.imaging, bytes: tally.bytes },
    fingerprint,
  };
}

function oracleMcSize(requested: number | undefined, patients: number): number {
  return requested ?? (patients >= 1000 ? ORACLE_MC_PATIENTS : 20_000);
}

const ORACLE_CACHE = new Map<string, OracleReport>();

/** The oracles depend on the seed, coverage and Monte Carlo size only: computed once per process for each. */
function cachedOracles(seed: number, coverage: Coverage, mcPatients: number, progress: ProgressReporter | undefined): OracleReport {
  const key = `${String(seed)}|${coverage}|${String(mcPatients)}`;
  const known = ORACLE_CACHE.get(key);
  if (known !== undefined) {
    return known;
  }
  const rep = computeOracles({ seed, coverage, mcPatients, ...(progress === undefined ? {} : { progress }) });
  ORACLE_CACHE.set(key, rep);
  return rep;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

function r4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
