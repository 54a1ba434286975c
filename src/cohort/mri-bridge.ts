/**
 * The bridge to the MRI module (`src/cohort/mri/index.ts`). The generator talks to it only
 * through this contract (imported statically, so the compiler checks it).
 */
import { HealthDataError } from '../errors';
import type { PlantedMriEffects } from './model';
import { mriUid, writeMriStudy } from './mri/index';

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

/**
 * The MRI module (a static import, so tsc checks it against the contract; it is part of every checkout).
 *
 * @returns the module
 */
export function tryLoadMriModule(): MriModuleContract | undefined {
  return { writeMriStudy, mriUid };
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
