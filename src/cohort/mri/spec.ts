/**
 * The MRI study specification (the contract the cohort generator calls) and its validation.
 */
import { HealthDataError } from '../../errors';

/**
 * Planted disease effects. Each one changes one compartment of the phantom (see README.md), so the imaging pipeline
 * can be checked against a known truth.
 */
export interface MriEffects {
  /** Global atrophy 0..1: thinner cortex, wider sulci and interhemispheric fissure, smaller brain (Alzheimer's). */
  atrophy: number /*0..1*/;
  /** Ventricle enlargement 0..1: lateral and third ventricles up to ~3.5× their volume (Alzheimer's). */
  ventricleEnlargement: number /*0..1*/;
  /** Number of chronic infarcts (stroke): lacunes and cortical–subcortical territorial lesions. */
  infarcts: number /*count*/;
  /** White-matter hyperintensity load 0..1: periventricular caps/halo plus deep foci (hypertension, small-vessel disease). */
  wmhLoad: number /*0..1*/;
  /** Number of cerebral microbleeds: small dark foci (SNOMED 723857007). */
  microbleeds: number /*count*/;
}

/** What the cohort generator asks for: one MR study of one patient. */
export interface MriStudySpec {
  /** Seed of this study's phantom; same spec → byte-identical file. */
  seed: number;
  /** Columns × rows × slices; default [128, 128, 64] (Coherent's volumes are 256³). */
  size?: readonly [number, number, number] /*default [128,128,64]*/;
  /** The planted effects. */
  effects: MriEffects;
  /** DICOM PatientID (LO, ≤ 64 characters). */
  patientId: string;
  /** DICOM PN "Family^Given" */
  patientName: string /* DICOM PN "Family^Given" */;
  /** YYYYMMDD */
  birthDate: string /*YYYYMMDD*/;
  /** DICOM PatientSex. */
  sex: 'M' | 'F' | 'O';
  /** StudyInstanceUID; in Coherent the same UID as the FHIR ImagingStudy identifier `urn:oid:<uid>`. */
  studyInstanceUid: string;
  /** SeriesInstanceUID. */
  seriesInstanceUid: string;
  /** YYYYMMDD */
  studyDate: string /*YYYYMMDD*/;
  /** HHMMSS (optionally with .ffffff); default 120000. */
  studyTime?: string;
  /** AccessionNumber (SH, ≤ 16 characters); default empty. */
  accessionNumber?: string;
  /**
   * SOPInstanceUID of the one multi-frame instance. Default: derived from the seed and the SeriesInstanceUID, so two
   * studies with the same seed but different series never share a SOP Instance UID.
   */
  sopInstanceUid?: string;
}

/** The part of a study spec that shapes the pixels. */
export interface MriPhantomSpec {
  /** Seed of the phantom. */
  readonly seed: number;
  /** Columns × rows × slices; default [128, 128, 64]. */
  readonly size?: readonly [number, number, number];
  /** The planted effects. */
  readonly effects: MriEffects;
}

/** Default volume size: 128 columns × 128 rows × 64 slices. */
export const DEFAULT_MRI_SIZE: readonly [number, number, number] = [128, 128, 64];

/** Largest accepted dimension (voxels per axis). */
export const MAX_MRI_DIMENSION = 1024;

/** Largest accepted voxel count (2^27 = 512³, 256 MiB of 16-bit pixels). */
export const MAX_MRI_VOXELS = 2 ** 27;

/** Upper bounds of the count effects (beyond these the phantom stops looking like a brain). */
export const MAX_INFARCTS = 30;
/** Upper bound of `effects.microbleeds`. */
export const MAX_MICROBLEEDS = 200;

const UID_RE = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;

function invalid(fn: string, path: string, message: string): HealthDataError {
  return new HealthDataError('invalid-input', `${fn}: ${message}`, { path });
}

/**
 * Checks the phantom part of a spec and returns the size to use.
 *
 * @param fn - the calling function's name, for the message
 * @param spec - the spec to check
 * @returns the validated size
 * @throws {@link HealthDataError} (invalid-input) naming the bad field and its accepted range
 */
export function validatePhantomSpec(fn: string, spec: MriPhantomSpec): readonly [number, number, number] {
  if (!Number.isSafeInteger(spec.seed)) {
    throw invalid(fn, 'seed', `seed ${String(spec.seed)} is not a safe integer; pass an integer such as 42`);
  }
  const size = spec.size ?? DEFAULT_MRI_SIZE;
  if ((size as readonly number[]).length !== 3 || size.some((n) => !Number.isInteger(n) || n < 8 || n > MAX_MRI_DIMENSION)) {
    throw invalid(fn, 'size', `size [${size.join(', ')}] must be three integers in 8..${MAX_MRI_DIMENSION} (columns, rows, slices)`);
  }
  if (size[0] * size[1] * size[2] > MAX_MRI_VOXELS) {
    throw invalid(fn, 'size', `size [${size.join(', ')}] has more than ${MAX_MRI_VOXELS} voxels (512³); pick a smaller volume`);
  }
  const e = spec.effects as Partial<MriEffects> | undefined;
  if (e === undefined || typeof e !== 'object') {
    throw invalid(fn, 'effects', 'effects is missing; pass { atrophy, ventricleEnlargement, infarcts, wmhLoad, microbleeds }');
  }
  for (const key of ['atrophy', 'ventricleEnlargement', 'wmhLoad'] as const) {
    const v = e[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw invalid(fn, `effects.${key}`, `effects.${key} ${String(v)} must be a number in 0..1`);
    }
  }
  for (const [key, max] of [
    ['infarcts', MAX_INFARCTS],
    ['microbleeds', MAX_MICROBLEEDS],
  ] as const) {
    const v = e[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw invalid(fn, `effects.${key}`, `effects.${key} ${String(v)} must be an integer count in 0..${max}`);
    }
  }
  return [size[0], size[1], size[2]];
}

/**
 * Tells whether a string is a valid DICOM UID (PS3.5 §9.1: digits and dots, no leading zeros in a component,
 * at most 64 characters).
 *
 * @param uid - the candidate
 * @returns true when valid
 */
export function isValidDicomUid(uid: string): boolean {
  return uid.length <= 64 && UID_RE.test(uid);
}

function checkUid(fn: string, path: string, uid: unknown): void {
  if (typeof uid !== 'string' || !isValidDicomUid(uid)) {
    throw invalid(fn, path, `${path} "${String(uid)}" is not a DICOM UID (digits and dots, no leading zeros, ≤ 64 characters); use mriUid(seed, kind, n)`);
  }
}

function checkDate(fn: string, path: string, value: unknown): void {
  const ok =
    typeof value === 'string' &&
    /^\d{8}$/.test(value) &&
    (() => {
      const y = Number(value.slice(0, 4));
      const m = Number(value.slice(4, 6));
      const d = Number(value.slice(6, 8));
      const date = new Date(Date.UTC(y, m - 1, d));
      return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    })();
  if (!ok) {
    throw invalid(fn, path, `${path} "${String(value)}" is not a DICOM date; write it as YYYYMMDD, e.g. 20190412`);
  }
}

function checkText(fn: string, path: string, value: unknown, maxLength: number, allowEmpty: boolean): void {
  if (
    typeof value !== 'string' ||
    (!allowEmpty && value.trim() === '') ||
    value.length > maxLength ||
    value.includes('\\') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(value)
  ) {
    throw invalid(fn, path, `${path} "${String(value)}" must be text of at most ${maxLength} characters without backslashes or control characters`);
  }
}

/**
 * Checks a whole study spec.
 *
 * @param spec - the spec
 * @returns the validated size
 * @throws {@link HealthDataError} (invalid-input) naming the bad field
 */
export function validateStudySpec(spec: MriStudySpec): readonly [number, number, number] {
  const fn = 'writeMriStudy';
  const size = validatePhantomSpec(fn, spec);
  checkText(fn, 'patientId', spec.patientId, 64, false);
  checkText(fn, 'patientName', spec.patientName, 64 * 3, false);
  if (spec.patientName.split('=').some((group) => group.length > 64)) {
    throw invalid(fn, 'patientName', `patientName "${spec.patientName}" has a component group longer than 64 characters`);
  }
  checkDate(fn, 'birthDate', spec.birthDate);
  checkDate(fn, 'studyDate', spec.studyDate);
  if (!['M', 'F', 'O'].includes(spec.sex)) {
    throw invalid(fn, 'sex', `sex "${spec.sex}" must be M, F or O`);
  }
  checkUid(fn, 'studyInstanceUid', spec.studyInstanceUid);
  checkUid(fn, 'seriesInstanceUid', spec.seriesInstanceUid);
  if (spec.sopInstanceUid !== undefined) {
    checkUid(fn, 'sopInstanceUid', spec.sopInstanceUid);
  }
  if (spec.studyTime !== undefined && !/^([01]\d|2[0-3])[0-5]\d[0-5]\d(\.\d{1,6})?$/.test(spec.studyTime)) {
    throw invalid(fn, 'studyTime', `studyTime "${spec.studyTime}" is not a DICOM time; write HHMMSS or HHMMSS.ffffff`);
  }
  if (spec.accessionNumber !== undefined) {
    checkText(fn, 'accessionNumber', spec.accessionNumber, 16, true);
  }
  return size;
}
