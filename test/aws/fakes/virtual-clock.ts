/**
 * Virtual time for tests that drive the AWS code's waiters: the services' documented delays are minutes (a
 * HealthLake datastore takes up to ~30 min to become ACTIVE, the Feature Store offline store lags up to ~15 min),
 * and the code polls every 30–60 s. While installed, every timer of at least `thresholdMs` (the pollers' sleeps, via
 * `setTimeout` or `node:timers/promises`) fires after `realMs` instead, and the skipped time is added to the virtual
 * clock, so a fake whose state changes after N virtual minutes changes after the poller has "waited" that long.
 * Short timers (I/O, SDK internals) run unchanged. Mocha keeps its own timer references, so test timeouts stay real.
 */
// The module object itself (the code under test reads `setTimeout` from it at each call), not an ES namespace copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const timersPromises = require('node:timers/promises') as Record<string, unknown>;

/** The clock. */
export interface VirtualClock {
  /** Milliseconds since the epoch, real time plus the virtual time skipped so far. */
  now(): number;
  /** Virtual milliseconds skipped so far. */
  skipped(): number;
  /** Restores the real timers. */
  uninstall(): void;
}

type TimerFn = (cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;
type PromiseTimer = <T = void>(ms?: number, value?: T, options?: unknown) => Promise<T>;

/**
 * Installs virtual time.
 *
 * @param options - timers at or above `thresholdMs` (default 500) fire after `realMs` (default 2)
 * @returns the clock
 */
export function installVirtualClock(options: { readonly thresholdMs?: number; readonly realMs?: number } = {}): VirtualClock {
  const threshold = options.thresholdMs ?? 500;
  const real = options.realMs ?? 2;
  let skipped = 0;
  const origTimeout = globalThis.setTimeout as unknown as TimerFn;
  const tp = timersPromises as unknown as { setTimeout: PromiseTimer };
  const origPromise = tp.setTimeout;
  const shrink = (ms: number | undefined): number => {
    const m = ms ?? 0;
    if (m >= threshold) {
      skipped += m - real;
      return real;
    }
    return m;
  };
  const patchedTimeout: TimerFn = (cb, ms, ...args) => origTimeout(cb, shrink(ms), ...args);
  (globalThis as unknown as { setTimeout: TimerFn }).setTimeout = patchedTimeout;
  const patchedPromise: PromiseTimer = (ms, value, opts) => origPromise(shrink(ms), value, opts);
  Object.defineProperty(timersPromises, 'setTimeout', { value: patchedPromise, configurable: true, writable: true, enumerable: true });
  return {
    now: () => Date.now() + skipped,
    skipped: () => skipped,
    uninstall: () => {
      (globalThis as unknown as { setTimeout: TimerFn }).setTimeout = origTimeout;
      Object.defineProperty(timersPromises, 'setTimeout', { value: origPromise, configurable: true, writable: true, enumerable: true });
    },
  };
}
