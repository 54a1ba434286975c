import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { athenaTableName, toAthenaShape } from '../../../src/formats/fhir/athena-shape';
import { bundleToResources, groupByResourceType } from '../../../src/formats/fhir/bundle';
import { extractClinicalEvents, medicationClassesOf, patientFacts } from '../../../src/formats/fhir/events';
import { checkMinimal, failsValidation, isResolvableReference, validateFhirResource } from '../../../src/formats/fhir/validate';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const BUNDLES = path.join(REFERENCE_DATA, 'synthea-fhir/bundles-r4');
const reba = JSON.parse(fs.readFileSync(path.join(BUNDLES, 'Reba_Nolan_9912abd9-c8bc-43c5-8608-e8e74d2d5d22.json'), 'utf8')) as unknown;

describe('FHIR format helpers', () => {
  const resources = bundleToResources(reba);

  it('splits a real Synthea Bundle and rewrites urn:uuid references to Type/id', () => {
    const raw = JSON.stringify(reba);
    assert.ok(raw.includes('"reference":"urn:uuid:'));
    assert.ok(!JSON.stringify(resources).includes('urn:uuid:'));
    const cond = resources.find((r) => r.resourceType === 'Condition')!;
    assert.equal((cond.subject as { reference: string }).reference, 'Patient/9da7d8c2-daef-4722-832e-dcf495d13a4e');
    assert.match((cond.encounter as { reference: string }).reference, /^Encounter\/[0-9a-f-]{36}$/);
    const groups = groupByResourceType(resources);
    assert.equal(groups.get('Patient')?.length, 1);
    assert.throws(
      () => bundleToResources({ resourceType: 'Patient' }),
      (e: { code?: string }) => e.code === 'invalid-input',
    );
  });

  it('every real resource passes structure-only validation (after the split)', () => {
    for (const r of resources) {
      const issues = validateFhirResource(r, 'structure-only');
      assert.ok(!failsValidation(issues, 'structure-only'), `${r.resourceType}/${r.id ?? ''}: ${JSON.stringify(issues)}`);
    }
  });

  it('the unsplit Bundle entries fail on their urn:uuid references', () => {
    const entry = (reba as { entry: { resource: unknown }[] }).entry.find((e) => (e.resource as { resourceType: string }).resourceType === 'Condition')!;
    const issues = checkMinimal(entry.resource);
    assert.ok(issues.some((i) => i.code === 'reference' && i.path === 'Condition.subject.reference'));
  });

  it('minimal checks: object, known type, not a Bundle, id grammar, meta an object, reference shape', () => {
    assert.equal(checkMinimal([1])[0]?.code, 'not-an-object');
    assert.equal(checkMinimal({ id: 'x' })[0]?.code, 'resource-type');
    assert.equal(checkMinimal({ resourceType: 'Bundle', type: 'batch' })[0]?.code, 'bundle');
    assert.equal(checkMinimal({ resourceType: 'Patiente', id: 'x' })[0]?.code, 'resource-type');
    assert.equal(checkMinimal({ resourceType: 'Patient' })[0]?.code, 'id');
    assert.equal(checkMinimal({ resourceType: 'Patient', id: 'has space' })[0]?.code, 'id');
    assert.deepEqual(checkMinimal({ resourceType: 'Patient', id: 'ok-1.2' }), []);
    assert.equal(checkMinimal({ resourceType: 'Patient', id: 'p', meta: 'v1' })[0]?.code, 'meta');
    assert.equal(checkMinimal({ resourceType: 'Patient', id: 'p', meta: [] })[0]?.code, 'meta');
    assert.deepEqual(checkMinimal({ resourceType: 'Patient', id: 'p', meta: { source: 's' } }), []);
    assert.ok(isResolvableReference('Patient/abc'));
    assert.ok(isResolvableReference('Patient/abc/_history/2'));
    assert.ok(isResolvableReference('https://example.org/fhir/Patient/abc'));
    assert.ok(isResolvableReference('#med1'));
    assert.ok(!isResolvableReference('urn:uuid:1234'));
  });

  it('structure validation reports errors with FHIRPath locations; strict also fails warnings', () => {
    const issues = validateFhirResource({ resourceType: 'Patient', id: 'p', birthDate: '1990-13-45', foo: 1 });
    assert.ok(issues.some((i) => i.path === 'Patient.birthDate' && i.severity === 'error'));
    assert.ok(issues.some((i) => i.path === 'Patient.foo'));
    const obs = validateFhirResource({ resourceType: 'Observation', id: 'o' });
    assert.ok(obs.some((i) => i.path === 'Observation.status'));
    assert.deepEqual(validateFhirResource({ resourceType: 'Observation', id: 'o' }, 'minimal'), []);
    assert.ok(failsValidation([{ severity: 'warning', code: 'x', path: '', message: '' }], 'strict'));
    assert.ok(!failsValidation([{ severity: 'warning', code: 'x', path: '', message: '' }], 'structure-only'));
  });

  it('Athena shape: lower-case keys, extensions as JSON text', () => {
    const p = resources.find((r) => r.resourceType === 'Patient')!;
    const a = toAthenaShape(p);
    assert.equal(a.birthdate, '1950-01-12');
    assert.equal(a.birthDate, undefined);
    assert.equal(typeof (a.extension as unknown[])[0], 'string');
    assert.equal((JSON.parse((a.extension as string[])[0]!) as { url: string }).url, (p.extension as { url: string }[])[0]!.url);
    assert.ok('maritalstatus' in a);
    assert.equal(athenaTableName('MedicationRequest'), 'medicationrequest');
  });

  it('flattens resources into coded events without free text', () => {
    const bp = resources.find((r) => r.resourceType === 'Observation' && JSON.stringify(r.code).includes('55284-4'))!;
    const ev = extractClinicalEvents(bp);
    assert.deepEqual(
      ev.map((e) => e.code),
      ['55284-4', '8462-4', '8480-6'],
    );
    assert.ok(ev[2]!.value! > 50);
    assert.equal(ev[2]!.unit, 'mm[Hg]');
    const smoking = resources.find((r) => r.resourceType === 'Observation' && JSON.stringify(r.code).includes('72166-2'))!;
    assert.match(extractClinicalEvents(smoking)[0]!.valueCode ?? '', /^\d+$/);
    const enc = extractClinicalEvents(resources.find((r) => r.resourceType === 'Encounter')!);
    assert.equal(enc[0]!.category, 'AMB');
    assert.deepEqual(medicationClassesOf('Warfarin Sodium 5 MG Oral Tablet'), ['anticoagulant']);
    assert.deepEqual(medicationClassesOf('Amoxicillin 500 MG Oral Tablet'), []);
    assert.deepEqual(patientFacts(resources.find((r) => r.resourceType === 'Patient')!), {
      patientId: '9da7d8c2-daef-4722-832e-dcf495d13a4e',
      gender: 'female',
      birthDate: '1950-01-12',
      deceasedDateTime: null,
    });
    for (const r of resources) {
      for (const e of extractClinicalEvents(r)) {
        assert.ok(!JSON.stringify(e).includes('Nolan'));
      }
    }
  });
});
