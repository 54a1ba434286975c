/**
 * The bridge to the MRI module (`src/cohort/mri/index.ts`, built separately). The generator talks to it only
 * through this contract, and loads it lazily so the rest of the cohort code works (and says clearly what is missing)
 * when the module is not installed.
 */
import { HealthDataError } from '../errors';
import type { PlantedMriEffects } from './model';

/** What one MRI study needs (the MRI module's `MriStudySpec`). */
export interface MriStudySpecContract {
  /** Seed of the volume's noise and anatomy. */
  readonly seed: number;
  /** Volume size (columns, rows, slices). */
  readonly size?: readonly [number, number, number];
  /** Planted effects. */
  readonly effects: PlantedMriEffects;
  /** DICOM PatientID. */
  readonly patientId: string;
  /** DICOM PN `Family^Given`. */
  readonly patientName: string;
  /** YYYYMMDD. */
  readonly birthDate: string;
  /** M, F or O. */
  readonly sex: 'M' | 'F' | 'O';
  /** StudyInstanceUID. */
  readonly studyInstanceUid: string;
  /** SeriesInstanceUID. */
  readonly seriesInstanceUid: string;
  /** YYYYMMDD. */
  readonly studyDate: string;
  /** HHMMSS. */
  readonly studyTime?: string;
  /** Accession number. */
  readonly accessionNumber?: string;
  /** SOPInstanceUID (the MRI module derives one when absent). */
  readonly sopInstanceUid?: string;
}

/** The MRI module's functions this package uses. */
export interface MriModuleContract {
  /** Writes one multi-frame MR DICOM Part 10 file. */
  writeMriStudy(spec: MriStudySpecContract): Uint8Array;
  /** Deterministic Synthea-like UIDs. */
  mriUid(seed: number, kind: 'study' | 'series' | 'sop', n: number): string;
}

let cached: MriModuleContract | null | undefined;

/**
 * Loads the MRI module, or returns undefined when it is not present.
 *
 * @returns the module or undefined
 */
export function tryLoadMriModule(): MriModuleContract | undefined {
  if (cached === undefined) {
    try {
      // A computed path keeps the compiler from requiring the module at build time: it is developed separately
      // and may be absent from a checkout.
      const modulePath = './mri/index';
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional module, see above
      const m = require(modulePath) as Partial<MriModuleContract>;
      cached = typeof m.writeMriStudy === 'function' && typeof m.mriUid === 'function' ? (m as MriModuleContract) : null;
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') {
        throw e;
      }
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * Loads the MRI module or explains what to do.
 *
 * @param fn - calling function name, for the message
 * @returns the module
 * @throws {@link HealthDataError} (unsupported) when `src/cohort/mri` is not available
 */
export function loadMriModule(fn: string): MriModuleContract {
  const m = tryLoadMriModule();
  if (m === undefined) {
    throw new HealthDataError(
      'unsupported',
      `${fn}: the MRI module (src/cohort/mri/index.ts: writeMriStudy, mriUid) is not available, so brain MRIs cannot be written; ` +
        'pass mri: false to generate a cohort without DICOM files, or install the MRI module',
    );
  }
  return m;
}
