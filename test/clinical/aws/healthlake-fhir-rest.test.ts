import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthLakeClient } from '@aws-sdk/client-healthlake';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { AwsFhirStore } from '../../../src/clinical/aws/aws-fhir-store';
import type { FetchLike } from '../../../src/clinical/aws/healthlake-fhir-rest';
import { HealthLakeFhirRest } from '../../../src/clinical/aws/healthlake-fhir-rest';

const DS = 'a'.repeat(32);
// Fake credentials: the tests check that the secret never shows up in a message.
const CREDS = { accessKeyId: 'AKIDTESTEXAMPLE', secretAccessKey: 'test-secret-never-printed', sessionToken: 'test-session-token' };
const BASE = `https://healthlake.us-east-1.amazonaws.com/datastore/${DS}/r4/`;

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
}

function recordingFetch(answers: { status: number; body: unknown }[]): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers });
    const a = answers.shift() ?? { status: 500, body: {} };
    return Promise.resolve({ status: a.status, text: () => Promise.resolve(JSON.stringify(a.body)) });
  };
  return { fetch, calls };
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Recomputes the SigV4 signature of a sent request from the AWS specification, independently of @smithy. */
function expectedSignature(call: Call, secret: string): string {
  const u = new URL(call.url);
  const auth = call.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(auth);
  assert.ok(m, `Authorization header shape: ${auth.replace(/Signature=\w+/, 'Signature=…')}`);
  const [, day, region, service, signedHeaders] = m as unknown as [string, string, string, string, string];
  const query = [...u.searchParams]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const lower = Object.fromEntries(Object.entries(call.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = signedHeaders.split(';');
  const canonical = ['GET', u.pathname, query, names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join(''), signedHeaders, createHash('sha256').update('').digest('hex')].join('\n');
  const amzDate = lower['x-amz-date']!;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/${service}/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(day).digest();
  for (const part of [region, service, 'aws4_request']) {
    key = createHmac('sha256', key).update(part).digest();
  }
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('HealthLake FHIR REST (SigV4, injected fetch and a local HTTP server)', () => {
  const hl = suiteMock(() => mockClient(HealthLakeClient));
  afterEach(() => hl.reset());

  it('read: GET <datastore>/r4/Patient/<id>, signed for service healthlake in the client region', async () => {
    const { fetch, calls } = recordingFetch([{ status: 200, body: { resourceType: 'Patient', id: 'p1', meta: { versionId: '3' } } }]);
    const store = new AwsFhirStore({ healthlake: new HealthLakeClient({ region: 'us-east-1' }), s3Uri: 's3://b/p', credentials: CREDS, fetch });
    const p = await store.read(DS, 'Patient', 'p1');
    assert.deepEqual(p, { resourceType: 'Patient', id: 'p1', meta: { versionId: '3' } });
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.method, 'GET');
    assert.equal(call.url, `${BASE}Patient/p1`);
    assert.match(
      call.headers.authorization!,
      /^AWS4-HMAC-SHA256 Credential=AKIDTESTEXAMPLE\/\d{8}\/us-east-1\/healthlake\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(call.headers['x-amz-security-token'], CREDS.sessionToken);
    assert.equal(call.headers.host, 'healthlake.us-east-1.amazonaws.com');
    assert.equal(call.headers.authorization!.split('Signature=')[1], expectedSignature(call, CREDS.secretAccessKey));
    assert.equal(hl.calls().length, 0, 'read uses the REST API, not an SDK command');
  });

  it('search: exact query (system|code, repeated date prefixes, _count), then pages through next links', async () => {
    const next = `${BASE}Observation?_count=2&page=tok%2F2`;
    const { fetch, calls } = recordingFetch([
      {
        status: 200,
        body: {
          resourceType: 'Bundle',
          type: 'searchset',
          link: [
            { relation: 'self', url: `${BASE}Observation?x` },
            { relation: 'next', url: next },
          ],
          entry: [
            { fullUrl: `${BASE}Observation/o1`, resource: { resourceType: 'Observation', id: 'o1' }, search: { mode: 'match' } },
            { fullUrl: `${BASE}Observation/o2`, resource: { resourceType: 'Observation', id: 'o2' }, search: { mode: 'match' } },
            { fullUrl: `${BASE}Patient/p1`, resource: { resourceType: 'Patient', id: 'p1' }, search: { mode: 'include' } },
          ],
        },
      },
      { status: 200, body: { resourceType: 'Bundle', type: 'searchset', total: 3, entry: [{ resource: { resourceType: 'Observation', id: 'o3' } }] } },
    ]);
    const rest = new HealthLakeFhirRest({ region: 'us-east-1', credentials: CREDS, fetch });
    const page1 = await rest.search(DS, 'Observation', { code: 'http://loinc.org|8480-6', date: ['ge2013-01-01', 'le2013-12-31'], _count: 2 });
    assert.equal(calls[0]!.url, `${BASE}Observation?code=http%3A%2F%2Floinc.org%7C8480-6&date=ge2013-01-01&date=le2013-12-31&_count=2`);
    assert.equal(calls[0]!.headers.authorization!.split('Signature=')[1], expectedSignature(calls[0]!, CREDS.secretAccessKey));
    assert.deepEqual(
      page1.entry.map((e) => e.resource.id),
      ['o1', 'o2'],
    );
    assert.equal(page1.total, 2, 'HealthLake left total out: the page count');
    const link = page1.link.find((l) => l.relation === 'next')!;
    assert.equal(link.url, next);
    const page2 = await rest.searchNext(link.url);
    assert.equal(calls[1]!.url, `${BASE}Observation?_count=2&page=tok%2F2`);
    assert.equal(calls[1]!.headers.authorization!.split('Signature=')[1], expectedSignature(calls[1]!, CREDS.secretAccessKey));
    assert.deepEqual(
      page2.entry.map((e) => e.resource.id),
      ['o3'],
    );
    assert.equal(page2.total, 3);
    assert.equal(page2.link.length, 0);
    await assert.rejects(rest.searchNext('https://evil.example.com/datastore/x/r4/Observation?page=1'), (e: { code?: string }) => e.code === 'invalid-input');
    assert.equal(calls.length, 2, 'a foreign next link is never requested (it would carry a signature)');
  });

  it('maps HTTP errors (404 not-found with the OperationOutcome text, 403 invalid-config) and never prints credentials', async () => {
    const { fetch } = recordingFetch([
      { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Resource Patient/nobody not found' }] } },
      { status: 403, body: { message: 'not authorized to perform healthlake:ReadResource' } },
    ]);
    const rest = new HealthLakeFhirRest({ region: 'us-east-1', credentials: CREDS, fetch });
    await assert.rejects(rest.read(DS, 'Patient', 'nobody'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'not-found');
      assert.match(e.message, /HTTP 404: Resource Patient\/nobody not found/);
      assert.ok(!e.message.includes(CREDS.secretAccessKey) && !e.message.includes(CREDS.sessionToken));
      return true;
    });
    await assert.rejects(rest.read(DS, 'Patient', 'p1'), (e: Error & { code?: string }) => e.code === 'invalid-config' && /HTTP 403/.test(e.message) && !e.message.includes(CREDS.secretAccessKey));
    await assert.rejects(rest.read('not-an-id', 'Patient', 'p1'), (e: { code?: string }) => e.code === 'invalid-input');
    await assert.rejects(rest.read(DS, 'patient', 'p1'), (e: { code?: string }) => e.code === 'invalid-input');
    await assert.rejects(rest.read(DS, 'Patient', 'a/../b'), (e: { code?: string }) => e.code === 'invalid-input');
    assert.throws(
      () => new HealthLakeFhirRest({ region: 'mars', credentials: CREDS }),
      (e: { code?: string }) => e.code === 'invalid-config',
    );
  });

  it('sends the signed request over HTTP to a local server (global fetch)', async () => {
    const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: { resourceType: 'Condition', id: 'c1' }, search: { mode: 'match' } }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const rest = new HealthLakeFhirRest({ region: 'eu-west-2', credentials: CREDS, endpoint: `http://127.0.0.1:${port}` });
      const b = await rest.search(DS, 'Condition', { subject: 'Patient/p1', code: 'http://snomed.info/sct|230690007' });
      assert.equal(b.total, 1);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.method, 'GET');
      assert.equal(seen[0]!.url, `/datastore/${DS}/r4/Condition?subject=Patient%2Fp1&code=http%3A%2F%2Fsnomed.info%2Fsct%7C230690007`);
      assert.match(String(seen[0]!.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDTESTEXAMPLE\/\d{8}\/eu-west-2\/healthlake\/aws4_request, /);
      assert.equal(seen[0]!.headers.host, `127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });
});
