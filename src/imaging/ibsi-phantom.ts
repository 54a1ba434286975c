/**
 * The IBSI 1 digital phantom check: this library's radiomic features on the phantom against the IBSI reference
 * values (what notebook 04 shows and `test/imaging/radiomics/ibsi-phantom.test.ts` asserts). The phantom and the
 * reference tables live in `reference-data/ibsi/` (see its PROVENANCE.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import { parseCsvRows } from '../formats/csv';
import { readNifti } from './nifti';
import { computeRadiomics } from './radiomics';

/** The folder holding the phantom and its reference values (`<project>/reference-data/ibsi`). */
export const IBSI_REFERENCE_DIR = path.join(__dirname, '..', '..', 'reference-data', 'ibsi');

/** One feature compared with its IBSI reference value. */
export interface IbsiPhantomRow {
  /** pyradiomics feature name, e.g. `original_glcm_Contrast`. */
  readonly feature: string;
  /** IBSI symbol, e.g. `cm.contrast`. */
  readonly ibsiSymbol: string;
  /** Our value. */
  readonly value: number;
  /** IBSI reference value. */
  readonly reference: number;
  /** Accepted difference (IBSI tolerance, or half a unit of the last of the 3 significant digits given). */
  readonly tolerance: number;
  /** `identity`, or the pyradiomics option that makes the definitions agree (e.g. IBSI kurtosis). */
  readonly relation: string;
  /** Whether |value − reference| ≤ tolerance. */
  readonly ok: boolean;
}

/**
 * Reads CSV text (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into records keyed by the header row.
 *
 * @param text - CSV text
 * @returns one record per data row
 */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const rows = parseCsvRows(text);
  const head = rows[0] ?? [];
  return rows
    .slice(1)
    .filter((r) => r.length > 1)
    .map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * The accepted difference for a reference value: the given tolerance, or — IBSI gives most phantom values to 3
 * significant digits with tolerance 0 — half a unit of the third significant digit.
 *
 * @param value - reference value
 * @param given - tolerance cell (may be empty)
 * @returns the tolerance
 */
export function ibsiTolerance(value: number, given: string): number {
  if (given.trim() !== '') {
    return Number(given);
  }
  if (value === 0) {
    return 1e-9;
  }
  const digits = Math.floor(Math.log10(Math.abs(value)));
  return 0.5 * Math.pow(10, digits - 2) + 1e-12;
}

/**
 * Computes the radiomic features of the IBSI 1 digital phantom (no discretisation, as IBSI specifies for it) and
 * compares each with its IBSI reference value: pyradiomics' default definitions, and for the features where
 * pyradiomics differs from IBSI (kurtosis, PCA normalisation) the IBSI-compatible option.
 *
 * @param dir - folder with `phantom.nii.gz`, `mask.nii.gz` and `pyradiomics_ibsi_feature_map.csv`
 * @returns one row per feature with an IBSI phantom value
 * @throws {@link HealthDataError} (not-found) when the files are missing
 */
export function ibsiPhantomCheck(dir: string = IBSI_REFERENCE_DIR): IbsiPhantomRow[] {
  const file = (name: string): Buffer => {
    const p = path.join(dir, name);
    if (!fs.existsSync(p)) {
      throw new HealthDataError('not-found', `ibsiPhantomCheck: ${p} is missing; the IBSI phantom ships in the repository's reference-data/ibsi folder`);
    }
    return fs.readFileSync(p);
  };
  const image = readNifti(file('phantom.nii.gz'), 'phantom.nii.gz');
  const mask = readNifti(file('mask.nii.gz'), 'mask.nii.gz');
  const map = parseCsvRecords(file('pyradiomics_ibsi_feature_map.csv').toString('utf8'));
  const pyradiomicsDefault = computeRadiomics(image, mask.voxels, { discretisation: 'none' });
  const ibsiVariant = computeRadiomics(image, mask.voxels, { discretisation: 'none', kurtosis: 'ibsi', pcaNormalisation: 'N-1', families: ['shape', 'firstorder'] });
  const rows: IbsiPhantomRow[] = [];
  for (const r of map) {
    const feature = r.pyradiomics_feature ?? '';
    const given = r.ibsi_digital_phantom_value ?? '';
    const relation = r.relation ?? '';
    const value = relation.startsWith('pyradiomics') ? ibsiVariant[feature] : pyradiomicsDefault[feature];
    if (given === '' || value === undefined) {
      continue;
    }
    const reference = Number(given);
    const tolerance = ibsiTolerance(reference, r.ibsi_tolerance ?? '');
    rows.push({ feature, ibsiSymbol: r.ibsi_symbol ?? '', value, reference, tolerance, relation, ok: Math.abs(value - reference) <= tolerance });
  }
  return rows;
}
