/**
 * A JPEG sequential DCT decoder (ITU-T T.81 processes 2 and 4: Huffman coded, 8- or 12-bit samples) for DICOM's
 * JPEG Extended transfer syntax (1.2.840.10008.1.2.4.51), whose 12-bit frames the libjpeg-turbo 8-bit build
 * cannot read.
 *
 * The inverse DCT is the accurate integer one of the IJG reference library (`jidctint.c`, the method dcmtk and
 * most DICOM toolkits decode with), including its range limiting, so the samples equal dcmtk's `dcmdjpeg` output
 * bit for bit. Components are returned as coded (no colour conversion); subsampled components are refused.
 */
import { HealthDataError } from '../../errors';
import type { RawDecoded } from './raw-decoded';

interface Component {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  coefficients: Int32Array;
  pred: number;
  dcTable: HuffmanTable | undefined;
  acTable: HuffmanTable | undefined;
}

/** Canonical Huffman table: for each code length, the first code, its first value index and the values. */
interface HuffmanTable {
  readonly maxCode: Int32Array;
  readonly valPtr: Int32Array;
  readonly minCode: Int32Array;
  readonly values: Uint8Array;
}

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45,
  38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

function fail(message: string): never {
  throw new HealthDataError('invalid-input', `JPEG extended frame: ${message}`);
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1] ?? 0;
    valPtr[len] = k;
    minCode[len] = code;
    code += n;
    k += n;
    maxCode[len] = n > 0 ? code - 1 : -1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { maxCode, valPtr, minCode, values };
}

/** Bit reader over entropy-coded data (skips stuffed zero bytes, stops at markers). */
class Bits {
  private buf = 0;
  private count = 0;
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  bit(): number {
    if (this.count === 0) {
      let b = this.data[this.pos] ?? 0;
      if (b === 0xff) {
        const next = this.data[this.pos + 1] ?? 0;
        if (next === 0) {
          this.pos += 2;
        } else {
          b = 0; // a marker: feed zeros, as libjpeg does for a corrupt or short segment
        }
      } else {
        this.pos++;
      }
      this.buf = b;
      this.count = 8;
    }
    this.count--;
    return (this.buf >> this.count) & 1;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      v = (v << 1) | this.bit();
    }
    return v;
  }

  decode(t: HuffmanTable): number {
    let code = this.bit();
    let len = 1;
    while (code > (t.maxCode[len] ?? -1)) {
      code = (code << 1) | this.bit();
      len++;
      if (len > 16) {
        fail('a Huffman code longer than 16 bits (corrupt entropy-coded data)');
      }
    }
    return t.values[(t.valPtr[len] ?? 0) + code - (t.minCode[len] ?? 0)] ?? 0;
  }

  /** Discards the rest of a byte and steps over an RSTn marker. */
  restart(): void {
    this.count = 0;
    while (this.pos + 1 < this.data.length && !(this.data[this.pos] === 0xff && (this.data[this.pos + 1] ?? 0) >= 0xd0 && (this.data[this.pos + 1] ?? 0) <= 0xd7)) {
      this.pos++;
    }
    this.pos += 2;
  }
}

function extend(v: number, t: number): number {
  return t === 0 ? 0 : v < 1 << (t - 1) ? v - (1 << t) + 1 : v;
}

function decodeBlock(bits: Bits, c: Component, out: Int32Array, offset: number): void {
  const dcT = c.dcTable;
  const acT = c.acTable;
  if (dcT === undefined || acT === undefined) {
    fail(`component ${String(c.id)} has no Huffman table`);
  }
  const t = bits.decode(dcT);
  c.pred += extend(bits.bits(t), t);
  out[offset] = c.pred;
  for (let k = 1; k < 64;) {
    const rs = bits.decode(acT);
    const r = rs >> 4;
    const s = rs & 15;
    if (s === 0) {
      if (r !== 15) {
        return;
      }
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) {
      fail('a coefficient run past the end of a block');
    }
    out[offset + (ZIGZAG[k] ?? 0)] = extend(bits.bits(s), s);
    k++;
  }
}

const CONST_BITS = 13;
const F0298 = 2446;
const F0390 = 3196;
const F0541 = 4433;
const F0765 = 6270;
const F0899 = 7373;
const F1175 = 9633;
const F1501 = 12299;
const F1847 = 15137;
const F1961 = 16069;
const F2053 = 16819;
const F2562 = 20995;
const F3072 = 25172;

/** IJG `DESCALE`: a rounding arithmetic right shift (as a division, so products above 2^31 stay exact). */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/** IJG `jpeg_idct_islow` for one block, into `out` (8×8 samples, already range-limited). */
function idctIslow(coef: Int32Array, offset: number, q: Int32Array, precision: number, ws: Int32Array, out: Int32Array): void {
  const pass1 = precision === 8 ? 2 : 1;
  const maxj = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  const mask = maxj * 4 + 3;
  for (let col = 0; col < 8; col++) {
    const c = (i: number): number => (coef[offset + i * 8 + col] ?? 0) * (q[i * 8 + col] ?? 0);
    if (c(1) === 0 && c(2) === 0 && c(3) === 0 && c(4) === 0 && c(5) === 0 && c(6) === 0 && c(7) === 0) {
      const dc = c(0) * (1 << pass1);
      for (let i = 0; i < 8; i++) {
        ws[i * 8 + col] = dc;
      }
      continue;
    }
    const r = butterfly(c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7));
    for (let i = 0; i < 8; i++) {
      ws[i * 8 + col] = descale(r[i] ?? 0, CONST_BITS - pass1);
    }
  }
  for (let row = 0; row < 8; row++) {
    const w = (i: number): number => ws[row * 8 + i] ?? 0;
    const r = butterfly(w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
    for (let i = 0; i < 8; i++) {
      const m = descale(r[i] ?? 0, CONST_BITS + pass1 + 3) & mask;
      out[row * 8 + i] = m < center ? m + center : m < 2 * (maxj + 1) ? maxj : m < 4 * (maxj + 1) - center ? 0 : m - 4 * (maxj + 1) + center;
    }
  }
}

const tmp = new Array<number>(8).fill(0);

/** The even/odd butterfly of `jidctint.c`, returning the eight undescaled outputs in order. */
function butterfly(x0: number, x1: number, x2: number, x3: number, x4: number, x5: number, x6: number, x7: number): number[] {
  let z1 = (x2 + x6) * F0541;
  const t2 = z1 + x6 * -F1847;
  const t3 = z1 + x2 * F0765;
  const t0 = (x0 + x4) * (1 << CONST_BITS);
  const t1 = (x0 - x4) * (1 << CONST_BITS);
  const t10 = t0 + t3;
  const t13 = t0 - t3;
  const t11 = t1 + t2;
  const t12 = t1 - t2;
  let o0 = x7;
  let o1 = x5;
  let o2 = x3;
  let o3 = x1;
  z1 = o0 + o3;
  let z2 = o1 + o2;
  let z3 = o0 + o2;
  let z4 = o1 + o3;
  const z5 = (z3 + z4) * F1175;
  o0 *= F0298;
  o1 *= F2053;
  o2 *= F3072;
  o3 *= F1501;
  z1 *= -F0899;
  z2 *= -F2562;
  z3 = z3 * -F1961 + z5;
  z4 = z4 * -F0390 + z5;
  o0 += z1 + z3;
  o1 += z2 + z4;
  o2 += z2 + z3;
  o3 += z1 + z4;
  tmp[0] = t10 + o3;
  tmp[7] = t10 - o3;
  tmp[1] = t11 + o2;
  tmp[6] = t11 - o2;
  tmp[2] = t12 + o1;
  tmp[5] = t12 - o1;
  tmp[3] = t13 + o0;
  tmp[4] = t13 - o0;
  return tmp;
}

interface Frame {
  precision: number;
  width: number;
  height: number;
  components: Component[];
  maxH: number;
  maxV: number;
}

function u16(d: Uint8Array, i: number): number {
  return ((d[i] ?? 0) << 8) | (d[i + 1] ?? 0);
}

function readFrame(d: Uint8Array, at: number): Frame {
  const precision = d[at] ?? 0;
  const height = u16(d, at + 1);
  const width = u16(d, at + 3);
  const n = d[at + 5] ?? 0;
  const components: Component[] = [];
  for (let i = 0; i < n; i++) {
    const o = at + 6 + i * 3;
    components.push({
      id: d[o] ?? 0,
      h: (d[o + 1] ?? 0x11) >> 4,
      v: (d[o + 1] ?? 0x11) & 15,
      tq: d[o + 2] ?? 0,
      blocksPerLine: 0,
      blocksPerColumn: 0,
      coefficients: new Int32Array(0),
      pred: 0,
      dcTable: undefined,
      acTable: undefined,
    });
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  if (components.some((c) => c.h !== maxH || c.v !== maxV)) {
    throw new HealthDataError('unsupported', 'JPEG extended frame: subsampled components are not decoded at 12 bits; re-encode without subsampling (dcmcjpeg +ee +s4) or losslessly');
  }
  const mcusX = Math.ceil(width / (8 * maxH));
  const mcusY = Math.ceil(height / (8 * maxV));
  for (const c of components) {
    c.blocksPerLine = mcusX * c.h;
    c.blocksPerColumn = mcusY * c.v;
    c.coefficients = new Int32Array(c.blocksPerLine * c.blocksPerColumn * 64);
  }
  return { precision, width, height, components, maxH, maxV };
}

function decodeScan(d: Uint8Array, at: number, frame: Frame, dc: Map<number, HuffmanTable>, ac: Map<number, HuffmanTable>, restartInterval: number): number {
  const ns = d[at] ?? 0;
  const comps: Component[] = [];
  for (let i = 0; i < ns; i++) {
    const id = d[at + 1 + i * 2] ?? 0;
    const tables = d[at + 2 + i * 2] ?? 0;
    const c = frame.components.find((x) => x.id === id) ?? fail(`a scan names unknown component ${String(id)}`);
    c.dcTable = dc.get(tables >> 4);
    c.acTable = ac.get(tables & 15);
    c.pred = 0;
    comps.push(c);
  }
  const bits = new Bits(d, at + 1 + ns * 2 + 3);
  const single = comps.length === 1 ? comps[0] : undefined;
  const mcusX = single ? Math.ceil(Math.ceil((frame.width * single.h) / frame.maxH) / 8) : Math.ceil(frame.width / (8 * frame.maxH));
  const mcusY = single ? Math.ceil(Math.ceil((frame.height * single.v) / frame.maxV) / 8) : Math.ceil(frame.height / (8 * frame.maxV));
  const total = mcusX * mcusY;
  for (let m = 0; m < total; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      bits.restart();
      for (const c of comps) {
        c.pred = 0;
      }
    }
    const mx = m % mcusX;
    const my = Math.floor(m / mcusX);
    if (single) {
      decodeBlock(bits, single, single.coefficients, (my * single.blocksPerLine + mx) * 64);
      continue;
    }
    for (const c of comps) {
      for (let v = 0; v < c.v; v++) {
        for (let h = 0; h < c.h; h++) {
          decodeBlock(bits, c, c.coefficients, ((my * c.v + v) * c.blocksPerLine + mx * c.h + h) * 64);
        }
      }
    }
  }
  return bits.pos;
}

function output(frame: Frame, quant: Map<number, Int32Array>): RawDecoded {
  const { width, height, precision, components } = frame;
  const n = components.length;
  const wide = precision > 8;
  const samples = wide ? new Uint16Array(width * height * n) : new Uint8Array(width * height * n);
  const ws = new Int32Array(64);
  const block = new Int32Array(64);
  components.forEach((c, ci) => {
    const q = quant.get(c.tq) ?? fail(`component ${String(c.id)} uses quantization table ${String(c.tq)}, which is not defined`);
    for (let by = 0; by < c.blocksPerColumn; by++) {
      for (let bx = 0; bx < c.blocksPerLine; bx++) {
        idctIslow(c.coefficients, (by * c.blocksPerLine + bx) * 64, q, precision, ws, block);
        for (let y = 0; y < 8; y++) {
          const py = by * 8 + y;
          if (py >= height) {
            break;
          }
          for (let x = 0; x < 8; x++) {
            const px = bx * 8 + x;
            if (px < width) {
              samples[(py * width + px) * n + ci] = block[y * 8 + x] ?? 0;
            }
          }
        }
      }
    }
  });
  return { width, height, components: n, bitsPerSample: precision, bytes: new Uint8Array(samples.buffer) };
}

/**
 * Decodes one JPEG sequential DCT frame (baseline or extended, Huffman coded, 8- or 12-bit).
 *
 * @param codestream - the JPEG frame (SOI … EOI)
 * @returns the samples, 16-bit little endian for 12-bit frames
 * @throws {@link HealthDataError} (invalid-input) for a corrupt stream; (unsupported) for progressive, lossless,
 *   arithmetic-coded or subsampled 12-bit frames
 */
export function decodeJpeg12(codestream: Uint8Array): RawDecoded {
  const d = codestream;
  if (d[0] !== 0xff || d[1] !== 0xd8) {
    fail('no SOI marker (FFD8) at the start');
  }
  const quant = new Map<number, Int32Array>();
  const dc = new Map<number, HuffmanTable>();
  const ac = new Map<number, HuffmanTable>();
  let frame: Frame | undefined;
  let restartInterval = 0;
  let i = 2;
  while (i + 3 < d.length) {
    if (d[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = d[i + 1] ?? 0;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd9) {
      break;
    }
    const len = u16(d, i + 2);
    const body = i + 4;
    if (marker === 0xc0 || marker === 0xc1) {
      frame = readFrame(d, body);
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new HealthDataError('unsupported', `JPEG extended frame: SOF marker FF${marker.toString(16).toUpperCase()} (progressive, lossless or arithmetic coding) is not a sequential Huffman frame`);
    } else if (marker === 0xdb) {
      for (let p = body; p < body + len - 2;) {
        const pq = (d[p] ?? 0) >> 4;
        const tq = (d[p] ?? 0) & 15;
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) {
          table[ZIGZAG[k] ?? 0] = pq === 0 ? (d[p + 1 + k] ?? 0) : u16(d, p + 1 + k * 2);
        }
        quant.set(tq, table);
        p += 1 + 64 * (pq === 0 ? 1 : 2);
      }
    } else if (marker === 0xc4) {
      for (let p = body; p < body + len - 2;) {
        const tc = (d[p] ?? 0) >> 4;
        const th = (d[p] ?? 0) & 15;
        const counts = d.subarray(p + 1, p + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        (tc === 0 ? dc : ac).set(th, buildHuffman(counts, d.subarray(p + 17, p + 17 + total)));
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(d, body);
    } else if (marker === 0xda) {
      if (frame === undefined) {
        fail('a scan before the frame header');
      }
      i = decodeScan(d, body, frame, dc, ac, restartInterval);
      continue;
    }
    i = body + len - 2;
  }
  if (frame === undefined) {
    fail('no frame header (SOF0/SOF1)');
  }
  return output(frame, quant);
}
