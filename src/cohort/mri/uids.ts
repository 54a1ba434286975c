/**
 * Deterministic DICOM UIDs under Synthea's placeholder root, and Coherent's DICOM file names.
 *
 * Synthea's `DICOMExporter` writes UIDs as `1.2.840.99999999[.series][.instance].<8-digit salt>.<abs(epoch ms)>`
 * (docs/coherent.md §1.4). We keep that root and shape: study `ROOT.<salt>.<n>`, series `ROOT.1.<salt>.<n>`, SOP instance
 * `ROOT.1.1.<salt>.<n>`, where the salt is derived from the seed. The three kinds differ in their number of
 * components, so they never collide with one another; within one kind and seed, distinct `n` give distinct UIDs.
 * `1.2.840.99999999` is not a registered root: these UIDs are for synthetic data only.
 */
import { HealthDataError } from '../../errors';
import { hash53, hashSeed } from './prng';
import { isValidDicomUid } from './spec';

/** Synthea's placeholder UID root. */
export const SYNTHEA_UID_ROOT = '1.2.840.99999999';

/** Our ImplementationClassUID (arc 0 under the root is never produced by {@link mriUid}, whose salts start at 1). */
export const MRI_IMPLEMENTATION_CLASS_UID = `${SYNTHEA_UID_ROOT}.0.1`;

/** The kinds of UID {@link mriUid} makes. */
export type MriUidKind = 'study' | 'series' | 'sop';

const KIND_ARCS: Record<MriUidKind, string> = { study: '', series: '.1', sop: '.1.1' };

/**
 * The 8-digit salt Synthea puts before the time component, derived from the seed.
 *
 * @param seed - the seed
 * @returns an integer in 10000000..99999999
 */
export function uidSalt(seed: number): number {
  return 10_000_000 + (hashSeed(seed, 'mri-uid-salt') % 90_000_000);
}

/**
 * Makes a deterministic, valid DICOM UID for a study, series or SOP instance.
 *
 * @param seed - the cohort or study seed (a safe integer)
 * @param kind - `study`, `series` or `sop`
 * @param n - a non-negative safe integer that tells UIDs of the same kind apart (patient or study index, a time in ms…)
 * @returns a UID of at most 46 characters, e.g. `1.2.840.99999999.1.53911207.17`
 * @throws {@link HealthDataError} (invalid-input) when seed or n is not an integer or kind is unknown
 * @example
 * ```ts
 * const study = mriUid(42, 'study', 7);   // '1.2.840.99999999.<salt>.7'
 * ```
 */
export function mriUid(seed: number, kind: MriUidKind, n: number): string {
  if (!Number.isSafeInteger(seed)) {
    throw new HealthDataError('invalid-input', `mriUid: seed ${String(seed)} is not a safe integer`, { path: 'seed' });
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new HealthDataError('invalid-input', `mriUid: n ${String(n)} must be a non-negative safe integer`, { path: 'n' });
  }
  const arc = (KIND_ARCS as Partial<Record<string, string>>)[kind];
  if (arc === undefined) {
    throw new HealthDataError('invalid-input', `mriUid: kind "${kind}" is not one of study, series, sop`, {
      path: 'kind',
    });
  }
  return `${SYNTHEA_UID_ROOT}${arc}.${uidSalt(seed)}.${n}`;
}

/**
 * A UID derived from another UID by hashing (used for the SOP instance, frame of reference and dimension
 * organisation of a series when the caller does not give them).
 *
 * @param seed - the study seed
 * @param arc - a fixed arc that tells the derived kinds apart (`1.1` SOP, `2` frame of reference, `3` dimension organisation)
 * @param from - the UID it derives from
 * @returns a valid UID under the Synthea root
 */
export function derivedUid(seed: number, arc: string, from: string): string {
  const uid = `${SYNTHEA_UID_ROOT}.${arc}.${uidSalt(seed)}.${hash53(from, hashSeed(seed, arc))}`;
  if (!isValidDicomUid(uid)) {
    throw new HealthDataError('invalid-input', `derivedUid: arc "${arc}" gives the invalid UID ${uid}`, { path: 'arc' });
  }
  return uid;
}

/**
 * Coherent's DICOM file name: the patient's file stem (`Given123_Family456_<uuid>`, the FHIR bundle name without
 * `.json`) directly followed by the StudyInstanceUID and `.dcm` — Synthea's `Exporter.filename(person, studyUid, "dcm")`
 * puts no separator before the UID (docs/coherent.md §1.2).
 *
 * @param patientStem - `Given123_Family456_<uuid>`
 * @param studyInstanceUid - the study UID
 * @returns e.g. `Maurice742_Kerluke267_8b8f25df-81b5-1029-3439-98d1e4ea02411.2.840.99999999.53911207.3.dcm`
 * @throws {@link HealthDataError} (invalid-input) when the stem has a path separator or the UID is invalid
 */
export function mriFileName(patientStem: string, studyInstanceUid: string): string {
  if (patientStem === '' || /[/\\]/.test(patientStem) || patientStem.endsWith('.json')) {
    throw new HealthDataError('invalid-input', `mriFileName: patient stem "${patientStem}" must be a bare file stem like Given123_Family456_<uuid> (no folder, no .json)`, { path: 'patientStem' });
  }
  if (!isValidDicomUid(studyInstanceUid)) {
    throw new HealthDataError('invalid-input', `mriFileName: "${studyInstanceUid}" is not a DICOM UID`, {
      path: 'studyInstanceUid',
    });
  }
  return `${patientStem}${studyInstanceUid}.dcm`;
}
