/**
 * DICOM text with ISO 2022 code extensions (PS3.5 §6.1.2.5): a SpecificCharacterSet with several values, where
 * escape sequences switch between single-byte sets (ASCII, JIS X 0201 katakana, Latin-1 …) and multi-byte sets
 * (JIS X 0208 / 0212, KS X 1001). dcmjs reads one character set only, so {@link readDicom} lets it read such files
 * byte for byte (Latin-1) and decodes their text here afterwards.
 *
 * Delimiters (`\` between values, `=` and `^` in person names) only count in single-byte mode: a multi-byte
 * character may contain those bytes, so values are joined back to their raw bytes before decoding and split after.
 */

/** The byte-per-character decoder dcmjs is given for such files (its mapping is reversed exactly below). */
export const RAW_CHARSET_TERM = 'ISO_IR 100';

const windows1252 = new TextDecoder('windows-1252');
const toByte = new Map<string, number>();
for (let b = 0; b < 256; b++) {
  toByte.set(windows1252.decode(Uint8Array.of(b)), b);
}

function rawBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    out[i] = toByte.get(text[i] ?? '') ?? 0x3f;
  }
  return out;
}

/** A single-byte set's upper half (G1) as a decoder of one byte. */
function upperHalf(term: string): ((b: number) => string) | undefined {
  const t = term.replace(/[_ ]/g, '').toUpperCase();
  if (t === 'ISO2022IR13' || t === 'ISOIR13') {
    return (b) => (b >= 0xa1 && b <= 0xdf ? String.fromCharCode(0xff61 + b - 0xa1) : '\ufffd');
  }
  const labels: Record<string, string> = {
    ISO2022IR100: 'iso-8859-1',
    ISO2022IR101: 'iso-8859-2',
    ISO2022IR109: 'iso-8859-3',
    ISO2022IR110: 'iso-8859-4',
    ISO2022IR144: 'iso-8859-5',
    ISO2022IR127: 'iso-8859-6',
    ISO2022IR126: 'iso-8859-7',
    ISO2022IR138: 'iso-8859-8',
    ISO2022IR148: 'iso-8859-9',
    ISO2022IR166: 'windows-874',
  };
  const label = labels[t];
  if (label === undefined) {
    return undefined;
  }
  const d = new TextDecoder(label);
  return (b) => d.decode(Uint8Array.of(b));
}

type Mode =
  { kind: 'single'; upper: ((b: number) => string) | undefined } | { kind: 'double'; decode: (a: number, b: number) => string } | { kind: 'upper-double'; decode: (a: number, b: number) => string };

const eucJp = new TextDecoder('euc-jp');
const eucKr = new TextDecoder('euc-kr');
const JIS0208: Mode = { kind: 'double', decode: (a, b) => eucJp.decode(Uint8Array.of(a | 0x80, b | 0x80)) };
const JIS0212: Mode = { kind: 'double', decode: (a, b) => eucJp.decode(Uint8Array.of(0x8f, a | 0x80, b | 0x80)) };
/** KS X 1001 is designated to G1 (`ESC $ ) C`): its two-byte characters use the upper half, ASCII stays single. */
const KSX1001: Mode = { kind: 'upper-double', decode: (a, b) => eucKr.decode(Uint8Array.of(a | 0x80, b | 0x80)) };

/** Escape sequences (after ESC) this decoder follows, and the mode each selects. */
function escape(bytes: Uint8Array, i: number, initial: Mode): { mode: Mode; length: number } | undefined {
  const seq = String.fromCharCode(...bytes.subarray(i + 1, i + 4));
  if (seq.startsWith('(B') || seq.startsWith('(J')) {
    return { mode: initial.kind === 'single' ? initial : { kind: 'single', upper: undefined }, length: 3 };
  }
  if (seq.startsWith(')I')) {
    return { mode: { kind: 'single', upper: upperHalf('ISO 2022 IR 13') }, length: 3 };
  }
  if (seq.startsWith('$B') || seq.startsWith('$@')) {
    return { mode: JIS0208, length: 3 };
  }
  if (seq === '$(D') {
    return { mode: JIS0212, length: 4 };
  }
  if (seq === '$)C') {
    return { mode: KSX1001, length: 4 };
  }
  const latin: Record<string, string> = {
    '-A': 'ISO 2022 IR 100',
    '-B': 'ISO 2022 IR 101',
    '-C': 'ISO 2022 IR 109',
    '-D': 'ISO 2022 IR 110',
    '-L': 'ISO 2022 IR 144',
    '-G': 'ISO 2022 IR 127',
    '-F': 'ISO 2022 IR 126',
    '-H': 'ISO 2022 IR 138',
    '-M': 'ISO 2022 IR 148',
    '-T': 'ISO 2022 IR 166',
  };
  const term = latin[seq.slice(0, 2)];
  return term === undefined ? undefined : { mode: { kind: 'single', upper: upperHalf(term) }, length: 3 };
}

/**
 * Decodes the bytes of one text value written with ISO 2022 code extensions.
 *
 * @param bytes - the raw value
 * @param charsets - the SpecificCharacterSet values (the first names the initial set)
 * @returns the text
 */
export function decodeIso2022(bytes: Uint8Array, charsets: readonly string[]): string {
  const initial: Mode = { kind: 'single', upper: upperHalf(charsets[0] ?? '') };
  let mode: Mode = initial;
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    if (b === 0x1b) {
      const esc = escape(bytes, i, initial);
      if (esc !== undefined) {
        mode = esc.mode;
        i += esc.length;
        continue;
      }
    }
    if (b === 0x0a || b === 0x0d || b === 0x0c || b === 0x09) {
      mode = initial;
    }
    if (((mode.kind === 'double' && b >= 0x21) || (mode.kind === 'upper-double' && b >= 0xa1)) && b <= 0xfe && i + 1 < bytes.length) {
      out += mode.decode(b & 0x7f, (bytes[i + 1] ?? 0) & 0x7f);
      i += 2;
      continue;
    }
    if (b < 0x80) {
      out += String.fromCharCode(b);
      if (b === 0x5e || b === 0x3d || b === 0x5c) {
        mode = initial;
      }
    } else {
      out += mode.kind === 'single' && mode.upper ? mode.upper(b) : '\ufffd';
    }
    i++;
  }
  return out;
}

/**
 * Whether a SpecificCharacterSet uses ISO 2022 code extensions (more than one value), which dcmjs cannot read.
 *
 * @param charsets - the values
 * @returns true when the text must be decoded by {@link decodeIso2022}
 */
export function usesCodeExtensions(charsets: readonly string[]): boolean {
  return charsets.length > 1;
}

type PersonName = { Alphabetic?: string; Ideographic?: string; Phonetic?: string };

function isPersonName(v: unknown): v is PersonName {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ('Alphabetic' in v || 'Ideographic' in v || 'Phonetic' in v);
}

function decodeValues(values: unknown[], charsets: readonly string[]): unknown[] {
  if (values.length > 0 && values.every((v) => typeof v === 'string')) {
    return decodeIso2022(rawBytes(values.join('\\')), charsets).split('\\');
  }
  if (values.length > 0 && values.every(isPersonName)) {
    const raw = values.map((p) => [p.Alphabetic ?? '', p.Ideographic ?? '', p.Phonetic ?? ''].join('=').replace(/=+$/, '')).join('\\');
    return decodeIso2022(rawBytes(raw), charsets)
      .split('\\')
      .map((one) => {
        const [a, ideo, ph] = one.split('=');
        return { ...(a ? { Alphabetic: a } : {}), ...(ideo ? { Ideographic: ideo } : {}), ...(ph ? { Phonetic: ph } : {}) };
      });
  }
  return values.map((v) => (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) ? decodeDatasetText(v as Record<string, unknown>, charsets) : v));
}

/**
 * Decodes every text value of a naturalized data set that dcmjs read byte for byte (see {@link RAW_CHARSET_TERM}).
 *
 * @param ds - naturalized data set (changed in place and returned)
 * @param charsets - the file's SpecificCharacterSet values
 * @returns the data set
 */
export function decodeDatasetText(ds: Record<string, unknown>, charsets: readonly string[]): Record<string, unknown> {
  for (const [k, v] of Object.entries(ds)) {
    if (k === '_vrMap' || k === '_meta' || k === 'SpecificCharacterSet') {
      continue;
    }
    if (typeof v === 'string') {
      ds[k] = decodeIso2022(rawBytes(v), charsets);
    } else if (isPersonName(v)) {
      ds[k] = decodeValues([v], charsets)[0];
    } else if (Array.isArray(v)) {
      ds[k] = decodeValues(v, charsets);
    }
  }
  return ds;
}
