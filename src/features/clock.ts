/**
 * The clock that stamps `api_invocation_time` and `write_time`: microseconds since the epoch, strictly increasing
 * within a process, so two puts of the same record in one batch are still ordered (the offline dedup orders by
 * `api_invocation_time DESC`). Tests inject a fixed clock.
 */

/** A source of epoch microseconds. */
export interface FeatureStoreClock {
  /** Returns the current time in microseconds since the Unix epoch, strictly greater than the previous call. */
  nowMicros(): bigint;
}

/**
 * The wall clock with microsecond resolution, made strictly monotonic.
 *
 * @returns the clock
 */
export function systemClock(): FeatureStoreClock {
  let last = 0n;
  const origin = BigInt(Math.round(performance.timeOrigin * 1000));
  return {
    nowMicros() {
      let t = origin + BigInt(Math.round(performance.now() * 1000));
      if (t <= last) {
        t = last + 1n;
      }
      last = t;
      return t;
    },
  };
}

/**
 * A clock for tests: starts at `start` and advances `stepMicros` per call.
 *
 * @param start - first time
 * @param stepMicros - advance per call (default 1 ms)
 * @returns the clock
 */
export function fixedClock(start: Date, stepMicros = 1000n): FeatureStoreClock {
  let t = BigInt(start.getTime()) * 1000n - stepMicros;
  return {
    nowMicros() {
      t += stepMicros;
      return t;
    },
  };
}

/**
 * Formats epoch microseconds as a SQL TIMESTAMP literal body (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC).
 *
 * @param micros - epoch microseconds
 * @returns the literal text
 */
export function microsToTimestampText(micros: bigint): string {
  const ms = micros / 1000n;
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac.toString().padStart(6, '0')}`;
}
