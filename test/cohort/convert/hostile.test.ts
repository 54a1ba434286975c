import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertCoherent } from '../../../src/cohort/convert/convert';
import { tmpDir } from '../helpers';

type Json = Record<string, unknown>;

const org = (name: string): Json => ({ resourceType: 'Organization', id: 'org-1', identifier: [{ system: 'https://example.org/org', value: 'org-1' }], name });
const patient = (id: string): Json => ({ resourceType: 'Patient', id, gender: 'female', birthDate: '1950-01-01' });
const bundle = (entries: unknown[]): string => JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries });

/** A Coherent-shaped output folder with hostile bundles: null and scalar entries, a null file, shared copies. */
function hostileSource(): string {
  const src = tmpDir('hostile');
  const fhir = path.join(src, 'fhir');
  fs.mkdirSync(fhir);
  fs.writeFileSync(path.join(fhir, 'organizations.json'), bundle([{ fullUrl: 'urn:uuid:org-1', resource: org('Clinic') }]));
  // A patient bundle carrying an identical copy of the directory Organization, a null entry and a number entry.
  fs.writeFileSync(path.join(fhir, 'A_a.json'), bundle([{ resource: patient('p-a') }, null, { resource: org('Clinic') }, 42]));
  // Another carrying a copy with another body: the directory's body is kept, the difference reported.
  fs.writeFileSync(path.join(fhir, 'B_b.json'), bundle([{ resource: patient('p-b') }, { resource: org('Clinic (renamed)') }, { resource: null }]));
  fs.writeFileSync(path.join(fhir, 'C_c.json'), 'null');
  return src;
}

describe('convertCoherent on hostile bundles', () => {
  it('reports null and non-object entries and files per entry (file, index, reason) and keeps one body per shared resource', async () => {
    const to = tmpDir('hostile-ds');
    const rep = await convertCoherent({ from: hostileSource(), to });
    const { resourcesIn = -1, resourcesOut = -1, resourcesDropped = -1, resourcesMerged = -1 } = rep.counts;
    assert.deepEqual({ resourcesIn, resourcesOut, resourcesDropped, resourcesMerged }, { resourcesIn: 8, resourcesOut: 3, resourcesDropped: 3, resourcesMerged: 2 });
    const issue = (file: string, line: number): string | undefined => rep.issues.find((i) => i.file === file && i.line === line)?.reason;
    assert.match(issue('fhir/A_a.json', 2) ?? '', /entry 2 is null/);
    assert.match(issue('fhir/A_a.json', 4) ?? '', /entry 4 is a number/);
    assert.match(issue('fhir/B_b.json', 3) ?? '', /without a resource object/);
    assert.match(issue('fhir/C_c.json', 0) ?? '', /holds null, expected a Bundle/);
    assert.match(issue('fhir/B_b.json', 2) ?? '', /Organization\/org-1 was already written .* first body is kept/);
    const orgs = fs
      .readFileSync(path.join(to, 'clinical', 'Organization.ndjson'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(orgs.length, 1);
    assert.equal((JSON.parse(orgs[0] ?? '{}') as Json).name, 'Clinic');
  });

  it('re-runs after a crash: a half-replaced target (no report, only converter-owned names) is replaced, a foreign folder is not', async () => {
    const src = hostileSource();
    const to = tmpDir('crashed-ds');
    // What a crash during the final swap leaves: some outputs moved, the staging folder, no report.
    fs.mkdirSync(path.join(to, 'clinical'));
    fs.writeFileSync(path.join(to, 'clinical', 'Patient.ndjson'), '{"resourceType":"Patient","id":"half');
    fs.mkdirSync(path.join(to, '.converting', 'genomic'), { recursive: true });
    const rep = await convertCoherent({ from: src, to });
    assert.equal(rep.counts.resourcesOut, 3);
    assert.deepEqual(fs.readdirSync(to).sort(), ['clinical', 'conversion-report.json', 'dicom', 'genomic']);
    assert.equal(
      fs
        .readFileSync(path.join(to, 'clinical', 'Patient.ndjson'), 'utf8')
        .trim()
        .split('\n').length,
      2,
    );
    // And a second run over a finished conversion gives byte-identical NDJSON.
    const before = fs.readFileSync(path.join(to, 'clinical', 'Organization.ndjson'), 'utf8');
    await convertCoherent({ from: src, to });
    assert.equal(fs.readFileSync(path.join(to, 'clinical', 'Organization.ndjson'), 'utf8'), before);
    const foreign = tmpDir('foreign-ds');
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    await assert.rejects(convertCoherent({ from: src, to: foreign }), /not written by this converter/);
  });
});
