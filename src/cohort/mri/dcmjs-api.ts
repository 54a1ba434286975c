/**
 * The small typed slice of dcmjs (which ships no type declarations) that the MRI writer and its read-back use.
 *
 * Loaded with `require` and typed here instead of through an ambient `declare module 'dcmjs'`, so this folder does
 * not fight with any other folder's declaration of the same module.
 */

/** A dcmjs denaturalized dataset: tag hex → `{ vr, Value }`. */
export type DcmjsDict = Record<string, { vr: string; Value?: unknown[] }>;

/** A dcmjs naturalized dataset: keyword → value. */
export type NaturalDataset = Record<string, unknown>;

/** `dcmjs.data.DicomDict`. */
export interface DcmjsDicomDict {
  dict: DcmjsDict;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}

/** The parts of `dcmjs.data` used here. */
export interface DcmjsData {
  DicomDict: new (meta: DcmjsDict) => DcmjsDicomDict;
  DicomMetaDictionary: {
    denaturalizeDataset(dataset: NaturalDataset): DcmjsDict;
    naturalizeDataset(dict: DcmjsDict): NaturalDataset;
  };
  DicomMessage: {
    readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string }): { meta: DcmjsDict; dict: DcmjsDict };
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- dcmjs has no type declarations; typed just above
const dcmjs = require('dcmjs') as { data: DcmjsData; log?: { setLevel?: (level: string) => void } };

/** dcmjs's `data` namespace, typed. */
export const dcmjsData: DcmjsData = dcmjs.data;
