import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { TabularPredictor } from '../../src/automl/predictor';
import { HealthDataError } from '../../src/errors';
import { parseServeModelArgs, serveModelMain } from '../../src/automl/serve-command';
import type { RunningModelServer, ServeErrorBody, ServeLogEntry } from '../../src/automl/serve';
import { createModelRequestHandler, modelSchema, startModelServer, validateInstances } from '../../src/automl/serve';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import { plantedRows } from './synthetic';

/** One raw HTTP request (node:http, so methods, headers and bodies are exactly what the test says). */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) {
      req.write(options.body);
    }
    req.end();
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function post(url: string, body: unknown, headers: Record<string, string> = JSON_HEADERS): ReturnType<typeof request> {
  return request(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

function errorOf(r: { json: unknown }): ServeErrorBody['error'] {
  return (r.json as ServeErrorBody).error;
}

describe('automl model server (real HTTP on an ephemeral port)', function () {
  this.timeout(60000);
  const train = plantedRows(200, 11);
  const test = plantedRows(20, 12);
  let predictor: TabularPredictor;
  let other: TabularPredictor;
  let server: RunningModelServer;
  const log: ServeLogEntry[] = [];
  const instance = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(['a', 'b', 'c', 'grp', ...Array.from({ length: 6 }, (_, j) => `n${j}`)].map((k) => [k, r[k]]));

  before(async () => {
    predictor = await new TabularPredictor({ label: 'outcome', ignoredColumns: ['id'], metadata: { outcome: 'planted' } }).fit(train, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
    other = await new TabularPredictor({ label: 'outcome', ignoredColumns: ['id', 'grp'] }).fit(train, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT', 'GBM'] });
    server = await startModelServer({ models: { planted: predictor, linear: other }, defaultModel: 'planted', maxBodyBytes: 8192, maxInstances: 25, onRequest: (e) => log.push(e) });
  });
  after(async () => {
    await server.close();
    await server.close(); // twice is safe
  });

  it('answers GET /ping and describes the models', async () => {
    const ping = await request(`${server.url}/ping`);
    assert.equal(ping.status, 200);
    assert.deepEqual(ping.json, { status: 'healthy', models: ['linear', 'planted'] });
    const one = await request(`${server.url}/models/planted`);
    assert.equal(one.status, 200);
    const schema = one.json as ReturnType<typeof modelSchema>;
    assert.deepEqual(
      schema.inputs.map((f) => `${f.name}:${f.type}`),
      ['a:number', 'b:number', 'c:number', 'grp:category', 'n0:number', 'n1:number', 'n2:number', 'n3:number', 'n4:number', 'n5:number'],
    );
    assert.deepEqual(schema.classes, [0, 1]);
    assert.deepEqual(schema.ignored, ['outcome', 'id']);
    assert.deepEqual(schema.metadata, { outcome: 'planted' });
    const all = await request(`${server.url}/models`);
    assert.equal((all.json as { defaultModel: string }).defaultModel, 'planted');
  });

  it('POST /invocations returns the same probabilities as the predictor, for the default and a targeted model', async () => {
    const instances = test.map(instance);
    const r = await post(`${server.url}/invocations`, { instances });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const body = r.json as { model: string; predictions: { label: unknown; probabilities: Record<string, number> }[] };
    assert.equal(body.model, 'planted');
    const expected = predictor.predictPositive(test);
    assert.equal(body.predictions.length, test.length);
    body.predictions.forEach((p, i) => {
      assert.ok(Math.abs((p.probabilities['1'] as number) - (expected[i] as number)) < 1e-12);
      assert.equal(p.label, (expected[i] as number) > 0.5 ? 1 : 0);
      assert.ok(Math.abs((p.probabilities['0'] as number) + (p.probabilities['1'] as number) - 1) < 1e-9);
    });
    // The SageMaker multi-model header and the REST path pick the other model; the label and id keys are ignored.
    const withExtras = test.slice(0, 3).map((row) => ({ ...instance(row), outcome: row.outcome, id: row.id }));
    const viaHeader = await post(`${server.url}/invocations`, { instances: withExtras }, { ...JSON_HEADERS, 'X-Amzn-SageMaker-Target-Model': 'linear' });
    const viaPath = await post(`${server.url}/models/linear/invocations`, { instances: withExtras }, { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(viaHeader.status, 200);
    assert.deepEqual(viaHeader.json, viaPath.json);
    const lin = other.predictPositive(test.slice(0, 3));
    (viaPath.json as { predictions: { probabilities: Record<string, number> }[] }).predictions.forEach((p, i) => {
      assert.ok(Math.abs((p.probabilities['1'] as number) - (lin[i] as number)) < 1e-12);
    });
    // Null is a missing value (imputed as in training), as the predictor does it.
    const withNull = [{ ...instance(test[0]!), a: null, grp: null }];
    const rn = await post(`${server.url}/invocations`, { instances: withNull });
    assert.equal(rn.status, 200);
    const pn = predictor.predictPositive(withNull)[0] as number;
    assert.ok(Math.abs((rn.json as { predictions: { probabilities: Record<string, number> }[] }).predictions[0]!.probabilities['1']! - pn) < 1e-12);
  });

  it('refuses bad instances with 400 and every problem listed with its path', async () => {
    const good = instance(test[0]!);
    const missingB = Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'b'));
    const r = await post(`${server.url}/invocations`, { instances: [{ ...good, a: 'high', zzz: 1 }, missingB, [1, 2], { ...good, grp: { x: 1 }, n0: Number.MAX_VALUE }] });
    assert.equal(r.status, 400);
    const e = errorOf(r);
    assert.equal(e.type, 'invalid-instances');
    assert.deepEqual(e.problems, [
      { path: 'instances[0].a', problem: 'expected a number, a boolean or null, got string "high"' },
      { path: 'instances[0].zzz', problem: 'unknown column; the model takes 10 columns (GET /models/planted lists them)' },
      { path: 'instances[1].b', problem: 'missing; every instance needs every input column (use null for an unknown value)' },
      { path: 'instances[2]', problem: 'is an array; each instance is an object of column → value' },
      { path: 'instances[3].grp', problem: 'expected a string, a number, a boolean or null (a category), got an object' },
    ]);
    assert.match(e.message, /^5 problem\(s\) in "instances"; first: instances\[0\]\.a/);
  });

  it('refuses bad bodies: invalid JSON, wrong shape, empty, too many instances, too large', async () => {
    const bad = await post(`${server.url}/invocations`, '{"instances": [');
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).type, 'invalid-json');
    const empty = await post(`${server.url}/invocations`, '');
    assert.equal(errorOf(empty).type, 'invalid-json');
    assert.match(errorOf(empty).message, /empty body/);
    for (const body of [[1], { rows: [] }, { instances: [] }, { instances: {} }, 'x']) {
      const r = await post(`${server.url}/invocations`, JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(errorOf(r).type, 'invalid-body');
    }
    const many = await post(`${server.url}/invocations`, { instances: Array.from({ length: 26 }, () => ({})) });
    assert.equal(many.status, 413);
    assert.equal(errorOf(many).type, 'too-many-instances');
    // Declared too large (content-length) and streamed too large (chunked): both 413, the connection closed.
    const big = JSON.stringify({ instances: Array.from({ length: 60 }, () => instance(test[0]!)) });
    assert.ok(big.length > 8192);
    const declared = await post(`${server.url}/invocations`, big);
    assert.equal(declared.status, 413);
    assert.equal(errorOf(declared).type, 'body-too-large');
    assert.equal(declared.headers.connection, 'close');
    const chunked = await request(`${server.url}/invocations`, { method: 'POST', headers: { ...JSON_HEADERS, 'transfer-encoding': 'chunked' }, body: big });
    assert.equal(chunked.status, 413);
    // The server still answers afterwards.
    assert.equal((await request(`${server.url}/ping`)).status, 200);
  });

  it('answers 404, 405, 415 and 406 with JSON errors', async () => {
    const unknownModel = await post(`${server.url}/models/nope/invocations`, { instances: [instance(test[0]!)] });
    assert.equal(unknownModel.status, 404);
    assert.equal(errorOf(unknownModel).type, 'unknown-model');
    assert.match(errorOf(unknownModel).message, /served models: linear, planted/);
    const unknownHeader = await post(`${server.url}/invocations`, { instances: [] }, { ...JSON_HEADERS, 'x-amzn-sagemaker-target-model': 'nope' });
    assert.equal(unknownHeader.status, 404);
    assert.equal((await request(`${server.url}/models/nope`)).status, 404);
    const route = await request(`${server.url}/predict`);
    assert.equal(route.status, 404);
    assert.equal(errorOf(route).type, 'not-found');
    const getInv = await request(`${server.url}/invocations`);
    assert.equal(getInv.status, 405);
    assert.equal(getInv.headers.allow, 'POST');
    assert.equal(errorOf(getInv).type, 'method-not-allowed');
    const postPing = await request(`${server.url}/ping`, { method: 'POST' });
    assert.equal(postPing.status, 405);
    assert.equal(postPing.headers.allow, 'GET');
    const csv = await post(`${server.url}/invocations`, '1,2,3', { 'content-type': 'text/csv' });
    assert.equal(csv.status, 415);
    assert.equal(errorOf(csv).type, 'unsupported-media-type');
    const noType = await request(`${server.url}/invocations`, { method: 'POST', body: '{}' });
    assert.equal(noType.status, 415);
    const accept = await post(`${server.url}/invocations`, { instances: [instance(test[0]!)] }, { ...JSON_HEADERS, accept: 'text/csv' });
    assert.equal(accept.status, 406);
    const anyAccept = await post(`${server.url}/invocations`, { instances: [instance(test[0]!)] }, { ...JSON_HEADERS, accept: 'text/html, */*;q=0.1' });
    assert.equal(anyAccept.status, 200);
  });

  it('logs one entry per request with route templates and no request data', () => {
    assert.ok(log.length > 10);
    const routes = new Set(log.map((e) => e.route));
    for (const r of ['/ping', '/invocations', '/models/:name', '/models/:name/invocations', 'unmatched']) {
      assert.ok(routes.has(r), r);
    }
    const ok = log.find((e) => e.route === '/invocations' && e.status === 200);
    assert.equal(ok?.instances, 20);
    assert.ok(log.every((e) => Object.keys(e).sort().join() === 'instances,method,ms,route,status'));
  });

  it('validates options and checks instances without a server', () => {
    assert.throws(() => createModelRequestHandler({ models: {} }), /no models/);
    assert.throws(() => createModelRequestHandler({ models: { 'a b': predictor } }), /model name "a b"/);
    assert.throws(() => createModelRequestHandler({ models: { planted: predictor }, defaultModel: 'x' }), /defaultModel "x" is not one of planted/);
    assert.throws(() => createModelRequestHandler({ models: { raw: new TabularPredictor({ label: 'y' }) } }), /not fitted/);
    const schema = modelSchema('planted', predictor);
    const rows = validateInstances(schema, { instances: [{ ...instance(test[0]!), grp: 'unseen', a: true }] });
    assert.equal(rows[0]?.grp, 'unseen');
    assert.throws(
      () => validateInstances(schema, { instances: [{}] }),
      (e: unknown) => (e as { code: string }).code === 'invalid-input' && /10 problem\(s\)/.test((e as Error).message),
    );
  });

  it('answers 500 without request data when the prediction itself fails', async () => {
    const broken = Object.create(predictor) as TabularPredictor;
    broken.predictProba = () => {
      throw new HealthDataError('backend', 'predict failed on value 4242');
    };
    const s = await startModelServer({ models: { broken } });
    try {
      const r = await post(`${s.url}/invocations`, { instances: [instance(test[0]!)] });
      assert.equal(r.status, 500);
      assert.deepEqual(r.json, { error: { status: 500, type: 'internal', message: 'prediction failed (backend); check the model files and the server' } });
    } finally {
      await s.close();
    }
  });

  it('the port-in-use case is a conflict error', async () => {
    await assert.rejects(startModelServer({ models: { planted: predictor }, port: server.port }), (e: unknown) => (e as { code: string }).code === 'conflict');
  });
});

describe('automl workspace serve()', function () {
  this.timeout(60000);
  it('serves the saved models by name and closes with the workspace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-automl-serve-'));
    const ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
    try {
      await assert.rejects(ws.automl.serve(), (e: unknown) => (e as { code: string }).code === 'not-found');
      const rows = plantedRows(120, 3);
      const p = ws.automl.createPredictor({ label: 'outcome', name: 'planted', ignoredColumns: ['id'], metadata: { modalities: 'clinical', cvAuroc: 0.9 } });
      await p.fit(rows, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
      p.save();
      assert.deepEqual(ws.automl.loadPredictor('planted').options.ignoredColumns, ['id']);
      const server = await ws.automl.serve({ port: 0 });
      assert.deepEqual(server.models, ['planted']);
      const r = await post(`${server.url}/invocations`, { instances: rows.slice(0, 2) });
      assert.equal(r.status, 200);
      const meta = await request(`${server.url}/models/planted`);
      assert.deepEqual((meta.json as { metadata: unknown }).metadata, { modalities: 'clinical', cvAuroc: 0.9 });
      assert.throws(
        () => ws.automl.endpoints(),
        (e: unknown) => (e as { code: string }).code === 'unsupported',
      );
      await ws.close();
      await assert.rejects(request(`${server.url}/ping`));
    } finally {
      await ws.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mmh serve-model', function () {
  this.timeout(60000);
  it('parses its flags and refuses bad ones', () => {
    assert.deepEqual(parseServeModelArgs([]), { port: 8080, host: '127.0.0.1' });
    assert.deepEqual(parseServeModelArgs(['--port', '0', '--model', 'a', '--model', 'b', '--host', '0.0.0.0', '--workspace', 'w']), { port: 0, host: '0.0.0.0', models: ['a', 'b'], workspace: 'w' });
    assert.throws(() => parseServeModelArgs(['--port', '70000']), /not a port number/);
    assert.throws(() => parseServeModelArgs(['--model']), /--model needs a value/);
    assert.throws(() => parseServeModelArgs(['--serve']), /unknown option "--serve"/);
  });

  it('serves the saved models of a workspace folder until stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-serve-cmd-'));
    try {
      const rows = plantedRows(120, 5);
      const p = await new TabularPredictor({ label: 'outcome', ignoredColumns: ['id'] }).fit(rows, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
      p.save(path.join(dir, 'models', 'planted'));
      const lines: string[] = [];
      let stop: () => void = () => undefined;
      const until = new Promise<void>((resolve) => {
        stop = resolve;
      });
      const run = serveModelMain(['--port', '0', '--workspace', dir], { log: (l) => lines.push(l), env: {}, until });
      while (lines.length === 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const url = /at (http:\/\/\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
      assert.match(lines[0] ?? '', /^serving planted at http:\/\/127\.0\.0\.1:\d+ \(default planted\)$/);
      const r = await post(`${url}/invocations`, { instances: rows.slice(0, 1) });
      assert.equal(r.status, 200);
      stop();
      assert.equal(await run, 0);
      await assert.rejects(request(`${url}/ping`));
      await assert.rejects(serveModelMain(['--port', '0', '--model', 'nope', '--workspace', dir], { env: {}, until: Promise.resolve() }), /no saved model named nope/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
