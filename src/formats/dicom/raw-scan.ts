/**
 * A byte-level look at a DICOM Part 10 file before dcmjs parses it: the file meta group, the first top-level
 * elements of the data set (SpecificCharacterSet, SOPInstanceUID), and whether the data set is really encoded with
 * explicit or implicit VRs. {@link readDicom} uses it to read files dcmjs would misread and to name the SOP
 * Instance UID in messages about files it cannot parse.
 */
import { TRANSFER_SYNTAX } from './transfer-syntax';

/** One element of the file meta group. */
interface MetaElement {
  readonly tag: number;
  readonly vr: string;
  readonly value: Uint8Array;
}

/** The file meta group, read by hand. */
export interface FileMeta {
  /** Elements in file order (without the group length). */
  readonly elements: readonly MetaElement[];
  /** Offset of the first data set byte. */
  readonly datasetStart: number;
  /** TransferSyntaxUID (trimmed), undefined when absent. */
  readonly transferSyntaxUID: string | undefined;
  /** Whether the group starts with its FileMetaInformationGroupLength (0002,0000). */
  readonly hasGroupLength: boolean;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US', ...LONG_VRS]);

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

/**
 * Reads the file meta group (always explicit VR little endian).
 *
 * @param bytes - the whole file (with the 128-byte preamble and "DICM")
 * @returns the meta group, or undefined when it cannot be walked
 */
export function readFileMeta(bytes: Uint8Array): FileMeta | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: MetaElement[] = [];
  let hasGroupLength = false;
  let i = 132;
  while (i + 8 <= bytes.length && view.getUint16(i, true) === 0x0002) {
    const tag = view.getUint32(i, true);
    const vr = String.fromCharCode(bytes[i + 4] ?? 0, bytes[i + 5] ?? 0);
    const long = LONG_VRS.has(vr);
    const length = long ? view.getUint32(i + 8, true) : view.getUint16(i + 6, true);
    const start = i + (long ? 12 : 8);
    if (!VRS.has(vr) || start + length > bytes.length) {
      return undefined;
    }
    if (tag === 0x00000002) {
      hasGroupLength = true;
    } else {
      elements.push({ tag, vr, value: bytes.subarray(start, start + length) });
    }
    i = start + length;
  }
  const ts = elements.find((e) => e.tag === 0x00100002);
  return { elements, datasetStart: i, transferSyntaxUID: ts === undefined ? undefined : text(ts.value), hasGroupLength };
}

/**
 * Whether the data set after the meta group starts like explicit-VR little endian (a known VR after the first tag).
 *
 * @param bytes - the whole file
 * @param start - first data set byte
 * @returns true for explicit VR, false for implicit VR, undefined when the data set is empty
 */
export function datasetLooksExplicit(bytes: Uint8Array, start: number): boolean | undefined {
  if (start + 8 > bytes.length) {
    return undefined;
  }
  return VRS.has(String.fromCharCode(bytes[start + 4] ?? 0, bytes[start + 5] ?? 0));
}

/**
 * Rebuilds the file with another TransferSyntaxUID in its meta group (group length recomputed).
 *
 * @param bytes - the whole file
 * @param meta - its meta group
 * @param uid - the transfer syntax the data set is really encoded in
 * @returns the new file bytes
 */
export function withTransferSyntax(bytes: Uint8Array, meta: FileMeta, uid: string): Uint8Array {
  const value = Buffer.from(uid.length % 2 === 1 ? `${uid}\0` : uid, 'latin1');
  const parts: Buffer[] = [];
  const elements = meta.elements.some((e) => e.tag === 0x00100002)
    ? meta.elements
    : [...meta.elements, { tag: 0x00100002, vr: 'UI', value }].sort((a, b) => (a.tag & 0xffff0000) - (b.tag & 0xffff0000));
  for (const e of elements) {
    const v = e.tag === 0x00100002 ? value : Buffer.from(e.value);
    const long = LONG_VRS.has(e.vr);
    const h = Buffer.alloc(long ? 12 : 8);
    h.writeUInt32LE(e.tag >>> 0, 0);
    h.write(e.vr, 4, 'latin1');
    if (long) {
      h.writeUInt32LE(v.length, 8);
    } else {
      h.writeUInt16LE(v.length, 6);
    }
    parts.push(h, v);
  }
  const body = Buffer.concat(parts);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt32LE(0x00000002, 0);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(body.length, 8);
  return Buffer.concat([Buffer.from(bytes.subarray(0, 132)), groupLength, body, Buffer.from(bytes.subarray(meta.datasetStart))]);
}

/** A top-level data set element found by {@link scanElements}. */
export interface RawElement {
  /** (group << 16) | element. */
  readonly tag: number;
  /** Offset of the value. */
  readonly valueOffset: number;
  /** Value length. */
  readonly length: number;
}

/**
 * Walks the first top-level elements of a little-endian data set, up to a tag (stops at an undefined length).
 *
 * @param bytes - the whole file
 * @param start - first data set byte
 * @param explicit - explicit VRs
 * @param untilTag - stop after passing this tag
 * @returns the elements seen
 */
export function scanElements(bytes: Uint8Array, start: number, explicit: boolean, untilTag: number): RawElement[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawElement[] = [];
  let i = start;
  while (i + 8 <= bytes.length) {
    const tag = ((view.getUint16(i, true) << 16) | view.getUint16(i + 2, true)) >>> 0;
    if (tag > untilTag) {
      break;
    }
    let length: number;
    let valueOffset: number;
    if (explicit) {
      const vr = String.fromCharCode(bytes[i + 4] ?? 0, bytes[i + 5] ?? 0);
      const long = LONG_VRS.has(vr);
      if (long && i + 12 > bytes.length) {
        break;
      }
      length = long ? view.getUint32(i + 8, true) : view.getUint16(i + 6, true);
      valueOffset = i + (long ? 12 : 8);
    } else {
      length = view.getUint32(i + 4, true);
      valueOffset = i + 8;
    }
    if (length === 0xffffffff || valueOffset + length > bytes.length) {
      break;
    }
    out.push({ tag, valueOffset, length });
    i = valueOffset + length;
  }
  return out;
}

/**
 * Finds the SOPInstanceUID of a file without parsing it fully (for messages about files that do not parse).
 *
 * @param bytes - the whole file
 * @returns the UID, or undefined when it cannot be found
 */
export function peekSopInstanceUID(bytes: Uint8Array): string | undefined {
  if (bytes.length < 132) {
    return undefined;
  }
  const meta = readFileMeta(bytes);
  if (meta === undefined) {
    return undefined;
  }
  if (meta.transferSyntaxUID !== TRANSFER_SYNTAX.deflatedExplicitLittle && meta.transferSyntaxUID !== TRANSFER_SYNTAX.explicitBig) {
    const explicit = datasetLooksExplicit(bytes, meta.datasetStart) ?? true;
    const sop = scanElements(bytes, meta.datasetStart, explicit, 0x00080018).find((e) => e.tag === 0x00080018);
    if (sop !== undefined) {
      return text(bytes.subarray(sop.valueOffset, sop.valueOffset + sop.length)) || undefined;
    }
  }
  const fromMeta = meta.elements.find((e) => e.tag === 0x00030002);
  return fromMeta === undefined ? undefined : text(fromMeta.value) || undefined;
}
