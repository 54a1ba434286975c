/**
 * Builds HealthImaging-shaped metadata from parsed DICOM instances: attributes are split into Patient, Study,
 * Series and Instance levels, frames carry their id and the CRC32 of the decoded pixels.
 */
import type { DicomInstance } from '../formats/dicom/read';
import type { ImageFrameMetadata, ImageSetMetadata, ImageSetSummary, InstanceMetadata } from './types';

/** Metadata schema version written by this library (HealthImaging's current one). */
export const METADATA_SCHEMA_VERSION = '1.1';
/** Transfer syntax of stored frames: HTJ2K lossless with RPCL (what HealthImaging serves by default). */
export const STORED_TRANSFER_SYNTAX = '1.2.840.10008.1.2.4.202';

/** Patient-level keywords. */
export const PATIENT_KEYWORDS = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'IssuerOfPatientID', 'OtherPatientIDs', 'PatientAge'] as const;
/** Study-level keywords. */
export const STUDY_KEYWORDS = ['StudyInstanceUID', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyDescription', 'ReferringPhysicianName'] as const;
/** Series-level keywords. */
export const SERIES_KEYWORDS = ['SeriesInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'SeriesDate', 'SeriesTime', 'BodyPartExamined', 'FrameOfReferenceUID'] as const;

const SKIP = new Set<string>(['_vrMap', '_meta', 'PixelData', 'FloatPixelData', 'DoubleFloatPixelData']);

/**
 * Makes a value JSON-safe: binary values are dropped, nested sequences kept.
 *
 * @param v - a naturalized dcmjs value
 * @returns the cleaned value, or undefined when it should be dropped
 */
function clean(v: unknown): unknown {
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    return undefined;
  }
  if (Array.isArray(v)) {
    const out = v.map(clean).filter((x) => x !== undefined);
    return out;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!SKIP.has(k)) {
        const c = clean(x);
        if (c !== undefined) {
          out[k] = c;
        }
      }
    }
    return out;
  }
  return v;
}

function pick(ds: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = clean(ds[k]);
    if (v !== undefined && v !== '') {
      out[k] = Array.isArray(v) && v.length === 1 && typeof v[0] !== 'object' ? v[0] : v;
    }
  }
  return out;
}

/** The level attributes of one instance. */
export interface LevelAttributes {
  /** Patient level. */
  readonly patient: Record<string, unknown>;
  /** Study level. */
  readonly study: Record<string, unknown>;
  /** Series level. */
  readonly series: Record<string, unknown>;
  /** Instance level (everything else, without pixel data). */
  readonly instance: Record<string, unknown>;
}

/**
 * Splits an instance's attributes into the four levels.
 *
 * @param inst - parsed instance
 * @returns the attributes per level
 */
export function levelAttributes(inst: DicomInstance): LevelAttributes {
  const ds = inst.dataset;
  const levelKeys = new Set<string>([...PATIENT_KEYWORDS, ...STUDY_KEYWORDS, ...SERIES_KEYWORDS]);
  const instance: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ds)) {
    if (!levelKeys.has(k) && !SKIP.has(k)) {
      const c = clean(v);
      if (c !== undefined) {
        instance[k] = c;
      }
    }
  }
  return { patient: pick(ds, PATIENT_KEYWORDS), study: pick(ds, STUDY_KEYWORDS), series: pick(ds, SERIES_KEYWORDS), instance };
}

/**
 * Builds the instance entry.
 *
 * @param attrs - the instance-level attributes
 * @param frames - frame entries
 * @param storedTransferSyntaxUID - how the frames are stored (default HTJ2K lossless RPCL; the original syntax for
 *   lossy frames kept as imported)
 * @returns the instance metadata
 */
export function instanceMetadata(attrs: Record<string, unknown>, frames: readonly ImageFrameMetadata[], storedTransferSyntaxUID: string = STORED_TRANSFER_SYNTAX): InstanceMetadata {
  return { DICOM: attrs, DICOMVRs: {}, StoredTransferSyntaxUID: storedTransferSyntaxUID, ImageFrames: frames };
}

function s(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    return String(v);
  }
  if (typeof v === 'object' && v !== null && 'Alphabetic' in v && typeof v.Alphabetic === 'string') {
    return v.Alphabetic;
  }
  return undefined;
}

/**
 * The normalized DICOM tags of a search summary, from a metadata document.
 *
 * @param meta - image set metadata
 * @returns the tags
 */
export function summaryTags(meta: ImageSetMetadata): ImageSetSummary['DICOMTags'] {
  const p = meta.Patient.DICOM;
  const st = meta.Study.DICOM;
  const series = Object.entries(meta.Study.Series)[0];
  const se = series?.[1].DICOM ?? {};
  const instances = Object.values(meta.Study.Series).reduce((n, x) => n + Object.keys(x.Instances).length, 0);
  const seriesNumber = typeof se.SeriesNumber === 'number' ? se.SeriesNumber : Number(s(se.SeriesNumber) ?? NaN);
  const tags: Record<string, string | number | undefined> = {
    DICOMPatientId: s(p.PatientID),
    DICOMPatientName: s(p.PatientName),
    DICOMPatientBirthDate: s(p.PatientBirthDate),
    DICOMPatientSex: s(p.PatientSex),
    DICOMStudyInstanceUID: s(st.StudyInstanceUID),
    DICOMStudyId: s(st.StudyID),
    DICOMStudyDescription: s(st.StudyDescription),
    DICOMAccessionNumber: s(st.AccessionNumber),
    DICOMStudyDate: s(st.StudyDate),
    DICOMStudyTime: s(st.StudyTime),
    DICOMSeriesInstanceUID: series?.[0],
    DICOMSeriesModality: s(se.Modality),
    DICOMSeriesNumber: Number.isFinite(seriesNumber) ? seriesNumber : undefined,
    DICOMNumberOfStudyRelatedInstances: instances,
  };
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined));
}
