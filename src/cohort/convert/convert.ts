/**
 * `convertCoherent`: the raw Coherent layout (generated, or the real zip unpacked) → the dataset layout the import
 * steps read (ARCHITECTURE.md "Dataset folder"), with a conversion report whose counts reconcile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { silentProgress } from '../../progress';
import { bgzfCompress } from './bgzf';
import type { VcfCall } from './dna';
import { callGenotypes, parseDnaCsv, renderVcf } from './dna';
import type { BundleConversion, IdentifierIndex } from './fhir-ndjson';
import { convertBundleFile, NdjsonSink } from './fhir-ndjson';
import type { PanelLocus } from './panel-outputs';
import { buildPanelReference, PANEL_REFERENCE_NAME, panelReferenceBases, renderClinvarVcf, renderFasta } from './panel-outputs';
import type { ConversionIssue } from './report';
import { ConversionReportBuilder } from './report';

/** Options of {@link convertCoherent}. */
export interface ConvertCoherentOptions {
  /** The Coherent folder: either `output/` itself or the folder that holds it (the zip's root). */
  readonly from: string;
  /** The dataset folder to write. */
  readonly to: string;
  /** Progress reporter. */
  readonly progress?: ProgressReporter;
}

/** The conversion report (also written as `<to>/conversion-report.json`). */
export interface ConversionReport {
  /** Input folder (the `output/` folder). */
  readonly from: string;
  /**
   * Counts; `*In` = `*Out` + `*Dropped` for each input kind (for resources also `+ resourcesMerged`: copies of a
   * shared directory resource already written from an earlier file).
   */
  readonly counts: Readonly<Record<string, number>>;
  /** Resources written per type. */
  readonly resourcesByType: Readonly<Record<string, number>>;
  /** Issue counts per code. */
  readonly issueCounts: Readonly<Record<string, { severity: string; count: number }>>;
  /** Every dropped record and the first examples of each repaired/warning code. */
  readonly issues: readonly ConversionIssue[];
}

/** The report file name in the dataset folder. */
export const CONVERSION_REPORT = 'conversion-report.json';

const OWNED = ['clinical', path.join('genomic', 'vcf'), path.join('genomic', 'annotation'), path.join('genomic', 'reference'), 'dicom'];
const UUID_TAIL = /_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})_dna\.csv$/;
const DICOM_NAME = /_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(\d+(?:\.\d+)+)\.dcm$/;

function resolveOutputDir(from: string): string {
  const direct = path.resolve(from);
  if (fs.existsSync(path.join(direct, 'fhir'))) {
    return direct;
  }
  if (fs.existsSync(path.join(direct, 'output', 'fhir'))) {
    return path.join(direct, 'output');
  }
  throw new HealthDataError(
    'not-found',
    `convertCoherent: no fhir/ folder in ${direct} or ${path.join(direct, 'output')}; point --from at the unpacked Coherent zip (the folder holding output/) or at output/ itself`,
    { path: from },
  );
}

/** Where a conversion is written before it replaces the previous one (inside the target, so renames stay on one disk). */
const STAGING = '.converting';
/** What the converter writes at the top of a dataset folder. */
const OWNED_TOP = new Set(['clinical', 'genomic', 'dicom', 'ground-truth.json', CONVERSION_REPORT, STAGING]);

/**
 * Checks that `to` is empty or the converter's own (its report, or only names the converter writes: a conversion
 * that crashed while replacing the previous one), then makes a fresh staging folder inside it.
 */
function prepareTarget(to: string): string {
  if (fs.existsSync(to)) {
    const entries = fs.readdirSync(to);
    if (entries.length > 0 && !entries.includes(CONVERSION_REPORT) && !entries.every((e) => OWNED_TOP.has(e))) {
      throw new HealthDataError(
        'conflict',
        `convertCoherent: ${to} is not empty and holds no ${CONVERSION_REPORT}, so it was not written by this converter; choose an empty folder so nothing of yours is overwritten`,
        { path: to },
      );
    }
  }
  const stage = path.join(to, STAGING);
  fs.rmSync(stage, { recursive: true, force: true });
  for (const sub of OWNED) {
    fs.mkdirSync(path.join(stage, sub), { recursive: true });
  }
  return stage;
}

/**
 * Replaces the previous conversion's outputs with the staged ones, the report last: a crash before this point
 * leaves the previous dataset whole, a crash during it leaves only converter-owned names (a re-run goes ahead).
 */
function publishStaged(stage: string, to: string): void {
  fs.rmSync(path.join(to, CONVERSION_REPORT), { force: true });
  for (const rel of [...OWNED, 'ground-truth.json']) {
    const target = path.join(to, rel);
    fs.rmSync(target, { recursive: true, force: true });
    if (fs.existsSync(path.join(stage, rel))) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(path.join(stage, rel), target);
    }
  }
  fs.renameSync(path.join(stage, CONVERSION_REPORT), path.join(to, CONVERSION_REPORT));
  fs.rmSync(stage, { recursive: true, force: true });
}

/**
 * Puts a DICOM file into the dataset without storing its bytes twice: a hard link where the file system allows it
 * (same file system), else a copy-on-write clone where supported, else a plain copy. Never a symbolic link: the
 * dataset must stay whole when the raw cohort is deleted, and a hard link keeps the data until its last name goes.
 *
 * @param from - the source file
 * @param to - the dataset file (must not exist)
 * @returns how the file got there
 */
export function linkOrCopy(from: string, to: string): 'linked' | 'copied' {
  try {
    fs.linkSync(from, to);
    return 'linked';
  } catch (e) {
    const code = (e as { code?: string }).code;
    // EXDEV: another file system; EPERM/ENOTSUP/EMLINK: links not allowed here or too many.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'EOPNOTSUPP') {
      throw e;
    }
    fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    return 'copied';
  }
}

function listFiles(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

/** What the conversion phases share: folders, the report, progress and the counts (in the report's key order). */
interface Conversion {
  /** The Coherent `output/` folder. */
  readonly src: string;
  /** The staging folder the outputs are written to. */
  readonly out: string;
  readonly report: ConversionReportBuilder;
  readonly progress: ProgressReporter;
  readonly counts: Record<string, number>;
  /** Adds `n` (default 1) to a count. */
  readonly inc: (k: string, n?: number) => void;
}

/** What the FHIR phase learned that the DNA and DICOM phases check against. */
interface FhirFacts {
  /** Resources written per type. */
  readonly resourcesByType: Readonly<Record<string, number>>;
  readonly patientIds: ReadonlySet<string>;
  /** StudyInstanceUID → owning patient id. */
  readonly studyOwner: ReadonlyMap<string, string>;
  /** Patient id → date of the genetic analysis summary. */
  readonly geneticTestDates: ReadonlyMap<string, string>;
}

/** 1. FHIR: directory files first (lower-case names: organizations.json, practitioners.json, hospitalInformation…). */
async function convertFhirBundles(c: Conversion): Promise<FhirFacts> {
  const { report, inc } = c;
  const fhirDir = path.join(c.src, 'fhir');
  const fhirFiles = listFiles(fhirDir, '.json');
  const directoryFiles = fhirFiles.filter((f) => /^[a-z]/.test(f));
  const patientFiles = fhirFiles.filter((f) => !/^[a-z]/.test(f));
  const sink = new NdjsonSink(path.join(c.out, 'clinical'));
  const identifiers: IdentifierIndex = new Map();
  const patientIds = new Set<string>();
  const studyOwner = new Map<string, string>();
  const geneticTestDates = new Map<string, string>();
  const fhirTask = c.progress.start('convert FHIR bundles', fhirFiles.length);
  try {
    for (const [i, f] of [...directoryFiles, ...patientFiles].entries()) {
      const isDirectory = i < directoryFiles.length;
      const res: BundleConversion = convertBundleFile(path.join(fhirDir, f), `fhir/${f}`, sink, identifiers, report, isDirectory);
      inc('bundles');
      inc('resourcesIn', res.entriesIn);
      inc('resourcesOut', res.written);
      inc('resourcesDropped', res.dropped);
      inc('resourcesMerged', res.merged);
      for (const id of res.patientIds) {
        patientIds.add(id);
      }
      if (res.geneticTestDate !== undefined && res.patientIds[0] !== undefined) {
        geneticTestDates.set(res.patientIds[0], res.geneticTestDate);
      }
      for (const uid of res.studyUids) {
        studyOwner.set(uid, res.patientIds[0] ?? '');
      }
      fhirTask.tick();
      if (i % 32 === 31) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    sink.close();
    fhirTask.finish();
  }
  c.counts.patients = patientIds.size;
  c.counts.imagingStudies = studyOwner.size;
  return { resourcesByType: sink.counts, patientIds, studyOwner, geneticTestDates };
}

/**
 * Converts one DNA CSV to the patient's VCF; every call's REF is checked against the loci seen so far (the panel
 * registry that becomes the reference), new loci are added to `loci`.
 */
function convertDnaFile(c: Conversion, f: string, fhir: FhirFacts, loci: Map<string, PanelLocus>): void {
  const { report, inc, out } = c;
  const dnaDir = path.join(c.src, 'dna');
  const refName = `${PANEL_REFERENCE_NAME}.fa`;
  const { patientIds, geneticTestDates } = fhir;
  const rel = `dna/${f}`;
  inc('dnaFiles');
  const m = UUID_TAIL.exec(f);
  const patientId = m?.[1];
  if (patientId === undefined) {
    report.add({ file: rel, line: 0, code: 'dna-bad-file-name', reason: 'file name does not end in _<uuid>_dna.csv, so no patient id; file not converted', severity: 'dropped' });
    const n = fs
      .readFileSync(path.join(dnaDir, f), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '').length;
    inc('dnaRowsIn', n);
    inc('dnaRowsDropped', n);
    return;
  }
  if (!patientIds.has(patientId)) {
    report.add({ file: rel, line: 0, code: 'dna-unlinked', reason: `no Patient ${patientId} among the bundles; VCF written anyway`, severity: 'warning' });
  }
  const parsed = parseDnaCsv(fs.readFileSync(path.join(dnaDir, f), 'utf8'), rel, report);
  inc('dnaRowsIn', parsed.dataRows);
  const calls = callGenotypes(parsed.rows, rel, report);
  const kept: VcfCall[] = [];
  for (const c of calls) {
    const first = parsed.rows.find((r) => r.rsid === c.id);
    const known = loci.get(c.id);
    if (known === undefined && first !== undefined) {
      loci.set(c.id, { rsid: c.id, chrom: c.chrom, pos: c.pos, ref: c.ref, alts: first.alts, gene: first.gene, significance: first.significance });
      kept.push(c);
    } else if (known !== undefined && (known.chrom !== c.chrom || known.pos !== c.pos || known.ref !== c.ref)) {
      report.add({
        file: rel,
        line: first?.line ?? 0,
        code: 'dna-ref-mismatch',
        reason: `${c.id}: ${c.chrom}:${String(c.pos)} REF ${c.ref} disagrees with the reference (${known.chrom}:${String(known.pos)} ${known.ref}); call not written`,
        severity: 'dropped',
      });
      inc('dnaRowsDropped', c.rows);
    } else {
      kept.push(c);
    }
  }
  inc('dnaRowsDropped', parsed.dataRows - parsed.rows.length);
  inc(
    'dnaRowsUsed',
    kept.reduce((a, c) => a + c.rows, 0),
  );
  const testDate = geneticTestDates.get(patientId);
  if (testDate === undefined) {
    report.add({ file: rel, line: 0, code: 'dna-undated', reason: 'no genetic analysis summary (DiagnosticReport 55232-3) dates this genome; VCF written without ##fileDate', severity: 'warning' });
  }
  const vcf = renderVcf(patientId, kept, `file://../reference/${refName}`, testDate);
  fs.writeFileSync(path.join(out, 'genomic', 'vcf', `${patientId}_dna.vcf`), vcf);
  inc('vcfFiles');
  inc('vcfRecords', kept.filter((c) => c.alts.length > 0).length);
}

/** 2. DNA: per-patient VCFs, with every REF checked against the panel registry that becomes the reference. */
function convertDnaFiles(c: Conversion, fhir: FhirFacts): Map<string, PanelLocus> {
  const dnaFiles = listFiles(path.join(c.src, 'dna'), '_dna.csv');
  const loci = new Map<string, PanelLocus>();
  const dnaTask = c.progress.start('convert DNA CSVs', dnaFiles.length);
  for (const f of dnaFiles) {
    convertDnaFile(c, f, fhir, loci);
    dnaTask.tick();
  }
  dnaTask.finish();
  return loci;
}

/** 3. Panel outputs: ClinVar-format annotation (BGZF) and the compact reference (+ .fai); REF re-checked. */
function writePanelOutputs(c: Conversion, loci: ReadonlyMap<string, PanelLocus>): void {
  const { out, counts } = c;
  const refName = `${PANEL_REFERENCE_NAME}.fa`;
  const lociList = [...loci.values()];
  const windows = buildPanelReference(lociList);
  for (const l of lociList) {
    if (panelReferenceBases(windows, l.chrom, l.pos, l.ref.length) !== l.ref) {
      throw new HealthDataError('backend', `convertCoherent: internal error: panel reference disagrees with ${l.rsid}`);
    }
  }
  const { fasta, fai } = renderFasta(windows);
  fs.writeFileSync(path.join(out, 'genomic', 'reference', refName), fasta);
  fs.writeFileSync(path.join(out, 'genomic', 'reference', `${refName}.fai`), fai);
  const clinvar = renderClinvarVcf(lociList);
  fs.writeFileSync(path.join(out, 'genomic', 'annotation', 'clinvar.vcf.gz'), bgzfCompress(Buffer.from(clinvar)));
  counts.panelLoci = lociList.length;
  counts.annotationRecords = clinvar.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  counts.referenceWindows = windows.length;
}

/**
 * 4. DICOM: dicom/<StudyInstanceUID>/instance-0001.dcm, matched to ImagingStudy by the UID in the file name;
 * hard-linked to the raw file (linkOrCopy), so the bytes are stored once.
 */
function linkDicomFiles(c: Conversion, studyOwner: ReadonlyMap<string, string>): void {
  const { report, inc, out } = c;
  const dicomDir = path.join(c.src, 'dicom');
  const dicomFiles = listFiles(dicomDir, '.dcm');
  const dcmTask = c.progress.start('link DICOM studies', dicomFiles.length);
  const seen = new Set<string>();
  for (const f of dicomFiles) {
    inc('dicomIn');
    const m = DICOM_NAME.exec(f);
    const uid = m?.[2];
    if (uid === undefined || uid.length > 64) {
      report.add({ file: `dicom/${f}`, line: 0, code: 'dicom-bad-file-name', reason: 'file name does not end in _<uuid><StudyInstanceUID>.dcm; not linked', severity: 'dropped' });
      inc('dicomDropped');
      dcmTask.tick();
      continue;
    }
    if (!studyOwner.has(uid)) {
      report.add({ file: `dicom/${f}`, line: 0, code: 'dicom-unlinked', reason: `no ImagingStudy with identifier urn:oid:${uid}; linked into the dataset anyway`, severity: 'warning' });
    }
    const dir = path.join(out, 'dicom', uid);
    fs.mkdirSync(dir, { recursive: true });
    const n = fs.readdirSync(dir).length + 1;
    inc(linkOrCopy(path.join(dicomDir, f), path.join(dir, `instance-${String(n).padStart(4, '0')}.dcm`)) === 'linked' ? 'dicomLinked' : 'dicomCopied');
    seen.add(uid);
    inc('dicomOut');
    dcmTask.tick();
  }
  dcmTask.finish();
  c.counts.imagingStudiesWithDicom = [...studyOwner.keys()].filter((u) => seen.has(u)).length;
}

/** Every reconciled count present (0 when nothing of the kind was seen). */
function completeCounts(counts: Record<string, number>): void {
  for (const k of [
    'resourcesIn',
    'resourcesOut',
    'resourcesDropped',
    'resourcesMerged',
    'dnaFiles',
    'dnaRowsIn',
    'dnaRowsUsed',
    'dnaRowsDropped',
    'vcfFiles',
    'vcfRecords',
    'dicomIn',
    'dicomOut',
    'dicomDropped',
    'dicomLinked',
    'dicomCopied',
  ]) {
    counts[k] ??= 0;
  }
}

/**
 * Converts a Coherent output folder to the dataset layout.
 *
 * Streaming: one bundle / DNA file / DICOM at a time. Quirky records are repaired or reported (file, line, reason)
 * in `<to>/conversion-report.json`; nothing is silently dropped, and for each input kind `in = out + dropped` (resources:
 * `+ merged`, one body kept per shared directory resource). Everything is written to `<to>/.converting/` first and
 * moved into place at the end, so a crash leaves the previous dataset whole or a folder a re-run replaces.
 * Re-running on the same folders rewrites the same outputs (idempotent).
 *
 * @param opts - input and output folders, progress
 * @returns the conversion report
 * @throws {@link HealthDataError} (not-found) when `from` holds no `fhir/` folder; (conflict) when `to` is a
 *   non-empty folder this converter did not write
 * @example
 * ```ts
 * const report = await convertCoherent({ from: './workspace/coherent', to: './workspace/dataset' });
 * console.log(report.counts);
 * ```
 */
export async function convertCoherent(opts: ConvertCoherentOptions): Promise<ConversionReport> {
  const src = resolveOutputDir(opts.from);
  const to = path.resolve(opts.to);
  const out = prepareTarget(to);
  const report = new ConversionReportBuilder();
  const counts: Record<string, number> = {};
  const c: Conversion = {
    src,
    out,
    report,
    progress: opts.progress ?? silentProgress,
    counts,
    inc: (k, n = 1) => {
      counts[k] = (counts[k] ?? 0) + n;
    },
  };
  const fhir = await convertFhirBundles(c);
  writePanelOutputs(c, convertDnaFiles(c, fhir));
  linkDicomFiles(c, fhir.studyOwner);

  // 5. Ground truth (generator only): `<from>/ground-truth.json` beside output/.
  const gt = path.join(path.dirname(src), 'ground-truth.json');
  if (fs.existsSync(gt)) {
    fs.copyFileSync(gt, path.join(out, 'ground-truth.json'));
    counts.groundTruth = 1;
  }
  completeCounts(counts);
  const result: ConversionReport = {
    from: src,
    counts,
    resourcesByType: fhir.resourcesByType,
    issueCounts: report.byCode,
    issues: report.issues,
  };
  fs.writeFileSync(path.join(out, CONVERSION_REPORT), `${JSON.stringify(result, null, 1)}\n`);
  publishStaged(out, to);
  return result;
}
