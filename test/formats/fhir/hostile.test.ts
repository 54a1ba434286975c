import assert from 'node:assert/strict';
import fc from 'fast-check';
import { athenaJsonText, lowerCaseJsonKeys, toAthenaShape, withLeadingKeys } from '../../../src/formats/fhir/athena-shape';

// Values JSON can hold (no NaN, infinities or -0, which JSON text cannot carry); keys from an alphabet full of JSON's troublemakers: quotes, backslashes, colons, braces, capitals, non-ASCII.
const oddKey = fc.string({ unit: fc.constantFrom('a', 'B', 'Z', '"', '\\', ':', '{', ',', 'é', 'Ä', 'İ', '_', '\u0000', '😀'), maxLength: 12 }).filter((k) => k !== '__proto__');
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('A', 'b', '"', ':', '\\'), maxLength: 400 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', maxDepth: 8 }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(oddKey, tie('tree'), { maxKeys: 5 })),
}));
const resource = fc.record({ resourceType: fc.constantFrom('Observation', 'Patient'), id: fc.string({ minLength: 1, maxLength: 8 }), body: fc.dictionary(oddKey, tree, { maxKeys: 6 }) });

describe('FHIR text that cannot hang an import (linear key lower-casing)', () => {
  it('athenaJsonText equals the Athena shape for resources with odd keys, deep nesting, unicode and long strings', () => {
    fc.assert(
      fc.property(resource, ({ resourceType, id, body }) => {
        const r = withLeadingKeys({ ...body, resourceType, id });
        const text = athenaJsonText(r, JSON.stringify(r));
        assert.deepEqual(JSON.parse(text), toAthenaShape({ ...r, meta: r.meta ?? {} }));
      }),
      { numRuns: 400 },
    );
  });

  it('lower-cases keys only, whatever the escapes inside strings', () => {
    assert.equal(lowerCaseJsonKeys('{"A\\"B":"X\\\\","cD":{"Ee":["F\\":"]}}'), '{"a\\"b":"X\\\\","cd":{"ee":["F\\":"]}}');
    assert.equal(lowerCaseJsonKeys('["Ab","Cd:"]'), '["Ab","Cd:"]');
    const plain = '{"a":1}';
    assert.equal(lowerCaseJsonKeys(plain), plain);
  });

  it('a 2 MB capitalised string value is shaped in one pass (the work is a handful of indexOf scans, not a backtracking match)', () => {
    const big = 'AbC"'.repeat(500_000);
    const r = { resourceType: 'Observation', id: 'big', valueString: big, Note: [{ Text: big }] };
    const text = athenaJsonText(r);
    assert.deepEqual(JSON.parse(text), toAthenaShape({ ...r, meta: {} }));
  });
});
