/**
 * aws-sdk-client-mock stubs `Client.prototype.send` once per class: a second `mockClient(C)` restores the first
 * stub and installs its own. With several test files mocking the same client in one mocha run, the file loaded
 * last would own the stub for everyone. `suiteMock` (re)installs the stub when its suite starts (a `before` hook in
 * the enclosing `describe`), so each suite talks to its own stub whatever the file order.
 */

/**
 * A client mock owned by the enclosing suite. Call inside a `describe` callback.
 *
 * @param make - creates and configures the stub, e.g. `() => mockClient(HealthLakeClient)`
 * @returns an object that always forwards to the stub installed for this suite
 */
export function suiteMock<R extends object>(make: () => R): R {
  let current = make();
  before(() => {
    current = make();
  });
  return new Proxy(current, {
    get: (_t, key) => {
      const v = (current as Record<string | symbol, unknown>)[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
}
