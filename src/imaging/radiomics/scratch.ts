/**
 * Scratch typed arrays the radiomics passes reuse from one call to the next (one set per thread: a worker keeps its
 * own). Each role keeps the largest array it was asked for, so a run over many regions allocates its working space
 * once instead of tens of megabytes per region, which otherwise makes V8 run a full garbage collection every region
 * or two (external-memory pressure). Contents are left from the previous use: a caller that needs zeros fills them.
 * Only for arrays that never leave the call that took them (nothing returned to the caller may be a scratch view).
 */

const int32 = new Map<string, Int32Array>();
const uint8 = new Map<string, Uint8Array>();
const float64 = new Map<string, Float64Array>();

/** Capacity for a request: at least `length`, rounded up so slightly larger regions reuse the array. */
function capacity(length: number): number {
  return Math.max(1024, Math.ceil((length * 1.25) / 1024) * 1024);
}

/**
 * An Int32Array view of `length` elements for `role`, with stale contents.
 *
 * @param role - what it is for (one array per role)
 * @param length - elements wanted
 * @returns a view of the role's array
 */
export function scratchInt32(role: string, length: number): Int32Array {
  let buf = int32.get(role);
  if (buf === undefined || buf.length < length) {
    buf = new Int32Array(capacity(length));
    int32.set(role, buf);
  }
  return buf.subarray(0, length);
}

/**
 * A Uint8Array view of `length` elements for `role`, with stale contents.
 *
 * @param role - what it is for (one array per role)
 * @param length - elements wanted
 * @returns a view of the role's array
 */
export function scratchUint8(role: string, length: number): Uint8Array {
  let buf = uint8.get(role);
  if (buf === undefined || buf.length < length) {
    buf = new Uint8Array(capacity(length));
    uint8.set(role, buf);
  }
  return buf.subarray(0, length);
}

/**
 * A Float64Array view of `length` elements for `role`, with stale contents.
 *
 * @param role - what it is for (one array per role)
 * @param length - elements wanted
 * @returns a view of the role's array
 */
export function scratchFloat64(role: string, length: number): Float64Array {
  let buf = float64.get(role);
  if (buf === undefined || buf.length < length) {
    buf = new Float64Array(capacity(length));
    float64.set(role, buf);
  }
  return buf.subarray(0, length);
}
