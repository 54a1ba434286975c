/**
 * A small HTTP model server (node:http) for saved predictors, with SageMaker's inference-container contract:
 * `GET /ping` answers 200 when the models are loaded and `POST /invocations` predicts, so the same routes work
 * locally and behind a SageMaker endpoint (which sends the model of a multi-model request in the
 * `X-Amzn-SageMaker-Target-Model` header). Requests and responses are JSON:
 *
 * ```
 * POST /invocations            (or POST /models/<name>/invocations)
 * content-type: application/json
 * { "instances": [ { "<column>": <value>, … }, … ] }
 *
 * 200 { "model": "<name>", "predictions": [ { "label": <class>, "probabilities": { "<class>": p, … } }, … ] }
 * 4xx { "error": { "status": 400, "type": "invalid-instances", "message": "…", "problems": [ { "path", "problem" } ] } }
 * ```
 *
 * Every input column the model was trained on must be present in every instance (null means missing and is
 * imputed as in training); numeric columns take numbers, booleans or null, categorical columns strings, numbers,
 * booleans or null (an unseen category encodes as none of the known ones). Unknown keys are refused, except the
 * label, the predictor's `ignoredColumns` and columns preprocessing dropped at fit time, which are ignored. The server logs nothing itself (no
 * request bodies ever); pass `onRequest` for a per-request line of method, route, status, time and row count.
 */
import * as http from 'node:http';
import { HealthDataError } from '../errors';
import type { TabularPredictor } from './predictor';
import { labelKey } from './table';

/** One input column of a served model. */
export interface ModelInputField {
  /** Column name. */
  readonly name: string;
  /** `number` (numbers, booleans or null) or `category` (strings, numbers, booleans or null). */
  readonly type: 'number' | 'category';
  /** Known categories (category columns only; others encode as none of them). */
  readonly levels?: readonly string[];
}

/** What a client needs to call a model: its inputs and outputs (`GET /models/<name>`). */
export interface ModelSchema {
  /** Model name (the route segment). */
  readonly name: string;
  /** Label column the model predicts. */
  readonly label: string;
  /** Problem type. */
  readonly problemType: string;
  /** Class values, in the order of the probabilities (binary: the second is the positive class). */
  readonly classes: readonly unknown[];
  /** The model used for predictions (the best on validation). */
  readonly bestModel: string;
  /** Required input columns. */
  readonly inputs: readonly ModelInputField[];
  /** Keys accepted and ignored (the label, the predictor's ignored columns, columns dropped at fit time). */
  readonly ignored: readonly string[];
  /** Metadata saved with the predictor (e.g. outcome, modality set, cross-validated AUROC). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** One prediction in a response. */
export interface ServedPrediction {
  /** Most probable class. */
  readonly label: unknown;
  /** Probability per class (keys are the class values as text). */
  readonly probabilities: Readonly<Record<string, number>>;
}

/** One problem found in a request's instances. */
export interface RequestProblem {
  /** Where, e.g. `instances[2].age`. */
  readonly path: string;
  /** What is wrong. */
  readonly problem: string;
}

/** The error body of every 4xx/5xx response. */
export interface ServeErrorBody {
  /** The error. */
  readonly error: {
    /** HTTP status. */
    readonly status: number;
    /** Machine-checkable type, e.g. `invalid-json`, `invalid-instances`, `body-too-large`, `unknown-model`. */
    readonly type: string;
    /** What is wrong and what to send instead. */
    readonly message: string;
    /** Per-field problems (`invalid-instances` only, at most 20). */
    readonly problems?: readonly RequestProblem[];
  };
}

/** A per-request log entry (no bodies, no values). */
export interface ServeLogEntry {
  /** HTTP method. */
  readonly method: string;
  /** Route template, e.g. `/invocations`, `/models/:name/invocations`, or `unmatched`. */
  readonly route: string;
  /** Response status. */
  readonly status: number;
  /** Handling time, milliseconds. */
  readonly ms: number;
  /** Rows predicted (0 when none). */
  readonly instances: number;
}

/** Options of {@link createModelRequestHandler} and {@link startModelServer}. */
export interface ModelServerOptions {
  /** Fitted predictors by name (names: letters, digits, dot, dash, underscore). */
  readonly models: Readonly<Record<string, TabularPredictor>>;
  /** Model answering `POST /invocations` without a target-model header (default: the first name in sorted order). */
  readonly defaultModel?: string;
  /** Largest request body in bytes (default 6 MiB, SageMaker's InvokeEndpoint payload limit). */
  readonly maxBodyBytes?: number;
  /** Most instances per request (default 10,000). */
  readonly maxInstances?: number;
  /** Called once per request, after the response is written. */
  readonly onRequest?: (entry: ServeLogEntry) => void;
}

/** Options of {@link startModelServer}: the handler's plus where to listen. */
export interface StartModelServerOptions extends ModelServerOptions {
  /** Interface to bind (default 127.0.0.1; a SageMaker container binds 0.0.0.0). */
  readonly host?: string;
  /** Port (default 0: a free one; SageMaker containers use 8080). */
  readonly port?: number;
}

/** A running model server. */
export interface RunningModelServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Bound port. */
  readonly port: number;
  /** Served model names, sorted. */
  readonly models: readonly string[];
  /** The default model of `POST /invocations`. */
  readonly defaultModel: string;
  /** Stops listening and closes open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Header SageMaker uses to name the model of a multi-model endpoint request. */
export const TARGET_MODEL_HEADER = 'x-amzn-sagemaker-target-model';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_PROBLEMS = 20;

/** An HTTP failure with its status and type; turned into a {@link ServeErrorBody}. */
class HttpFailure extends HealthDataError {
  readonly status: number;
  readonly type: string;
  readonly problems: readonly RequestProblem[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, type: string, message: string, extra: { problems?: readonly RequestProblem[]; headers?: Record<string, string> } = {}) {
    super(status === 404 ? 'not-found' : status === 415 || status === 406 || status === 405 ? 'unsupported' : 'invalid-input', message);
    this.status = status;
    this.type = type;
    this.problems = extra.problems;
    this.headers = extra.headers ?? {};
  }
}

/**
 * The input/output description of a fitted predictor, as `GET /models/<name>` returns it.
 *
 * @param name - the model name
 * @param predictor - a fitted predictor
 * @returns the schema
 * @throws {@link HealthDataError} (invalid-input) when the predictor is not fitted
 */
export function modelSchema(name: string, predictor: TabularPredictor): ModelSchema {
  const st = predictor.state;
  return {
    name,
    label: st.label,
    problemType: st.problemType,
    classes: st.classes,
    bestModel: st.best,
    inputs: st.preprocess.columns.map((c) => (c.kind === 'numeric' ? { name: c.name, type: 'number' as const } : { name: c.name, type: 'category' as const, levels: c.levels })),
    ignored: [...new Set([st.label, ...(predictor.options.ignoredColumns ?? []), ...st.preprocess.dropped.map((d) => d.name)])],
    metadata: predictor.options.metadata ?? {},
  };
}

function describeValue(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'an array';
  }
  if (typeof v === 'object') {
    return 'an object';
  }
  if (typeof v === 'string') {
    return `string ${JSON.stringify(v.slice(0, 40))}`;
  }
  return typeof v === 'number' || typeof v === 'boolean' ? `${typeof v} ${String(v)}` : typeof v;
}

/**
 * Checks a parsed request body against a model schema.
 *
 * @param schema - the model's schema
 * @param body - the parsed JSON body
 * @param maxInstances - most rows accepted
 * @returns the instances, as row objects the predictor accepts
 * @throws {@link HealthDataError} (invalid-input) naming every problem (up to 20) with its path, e.g. `instances[0].age`
 * @example
 * ```ts
 * const rows = validateInstances(modelSchema('htn', predictor), { instances: [{ age: 61, sex: 'F' }] });
 * ```
 */
export function validateInstances(schema: ModelSchema, body: unknown, maxInstances = 10000): Record<string, unknown>[] {
  const expected = `send {"instances": [{${schema.inputs
    .slice(0, 3)
    .map((f) => `"${f.name}": ${f.type === 'number' ? '1.5' : '"a"'}`)
    .join(', ')}${schema.inputs.length > 3 ? ', …' : ''}}]}`;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpFailure(400, 'invalid-body', `the body is ${describeValue(body)}, not an object; ${expected}`);
  }
  const extraKeys = Object.keys(body).filter((k) => k !== 'instances');
  if (extraKeys.length > 0) {
    throw new HttpFailure(400, 'invalid-body', `unknown top-level key(s) ${extraKeys.map((k) => JSON.stringify(k)).join(', ')}; the body has one key, "instances"`);
  }
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw new HttpFailure(400, 'invalid-body', `"instances" is ${instances === undefined ? 'missing' : Array.isArray(instances) ? 'empty' : describeValue(instances)}; ${expected}`);
  }
  if (instances.length > maxInstances) {
    throw new HttpFailure(413, 'too-many-instances', `${String(instances.length)} instances in one request; send at most ${String(maxInstances)} per request`);
  }
  const fields = new Set(schema.inputs.map((f) => f.name));
  const ignored = new Set(schema.ignored);
  const problems: RequestProblem[] = [];
  let total = 0;
  const report = (path: string, problem: string): void => {
    total += 1;
    if (problems.length < MAX_PROBLEMS) {
      problems.push({ path, problem });
    }
  };
  const rows: Record<string, unknown>[] = [];
  instances.forEach((inst: unknown, i) => {
    const at = `instances[${String(i)}]`;
    if (typeof inst !== 'object' || inst === null || Array.isArray(inst)) {
      report(at, `is ${describeValue(inst)}; each instance is an object of column → value`);
      return;
    }
    const rec = inst as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    // Walk the schema (not the instance's keys): one own-property read per input; unknown keys are looked for only
    // when the instance has more keys than it matched.
    let matched = 0;
    for (const f of schema.inputs) {
      if (!Object.hasOwn(rec, f.name)) {
        report(`${at}.${f.name}`, 'missing; every instance needs every input column (use null for an unknown value)');
        continue;
      }
      matched += 1;
      const value = rec[f.name];
      if (value === null) {
        row[f.name] = null;
      } else if (f.type === 'number') {
        if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
          row[f.name] = value;
        } else {
          report(`${at}.${f.name}`, `expected a number, a boolean or null, got ${describeValue(value)}`);
        }
      } else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
        row[f.name] = value;
      } else {
        report(`${at}.${f.name}`, `expected a string, a number, a boolean or null (a category), got ${describeValue(value)}`);
      }
    }
    const keys = Object.keys(rec);
    if (keys.length > matched) {
      for (const key of keys) {
        if (!fields.has(key) && !ignored.has(key)) {
          report(
            `${at}.${key}`,
            `unknown column; the model takes ${schema.inputs.length <= 8 ? schema.inputs.map((q) => q.name).join(', ') : `${String(schema.inputs.length)} columns (GET /models/${schema.name} lists them)`}`,
          );
        }
      }
    }
    rows.push(row);
  });
  if (total > 0) {
    const first = problems[0] as RequestProblem;
    throw new HttpFailure(
      400,
      'invalid-instances',
      `${String(total)} problem(s) in "instances"${total > problems.length ? ` (first ${String(problems.length)} listed)` : ''}; first: ${first.path}: ${first.problem}`,
      {
        problems,
      },
    );
  }
  return rows;
}

/**
 * Predictions for validated rows: the most probable class and the probability of each class.
 *
 * @param predictor - a fitted predictor
 * @param rows - rows from {@link validateInstances}
 * @returns one prediction per row
 */
export function servePredictions(predictor: TabularPredictor, rows: readonly Record<string, unknown>[]): ServedPrediction[] {
  const classes = predictor.classes;
  const keys = classes.map(labelKey);
  return predictor.predictProba(rows).map((p) => {
    let best = 0;
    keys.forEach((key, c) => {
      if ((p[key] as number) > (p[keys[best] as string] as number)) {
        best = c;
      }
    });
    return { label: classes[best], probabilities: p };
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') {
    return true;
  }
  return accept.split(',').some((part) => ['application/json', 'application/*', '*/*'].includes(mediaType(part)));
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpFailure(413, 'body-too-large', `the body is ${String(declared)} bytes; the limit is ${String(limit)} bytes — send fewer instances per request`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) {
        return;
      }
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpFailure(413, 'body-too-large', `the body exceeds the limit of ${String(limit)} bytes — send fewer instances per request`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) {
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

interface Route {
  readonly template: string;
  readonly allow: readonly string[];
  readonly model?: string;
}

function matchRoute(pathname: string): Route | undefined {
  if (pathname === '/ping') {
    return { template: '/ping', allow: ['GET'] };
  }
  if (pathname === '/invocations') {
    return { template: '/invocations', allow: ['POST'] };
  }
  if (pathname === '/models') {
    return { template: '/models', allow: ['GET'] };
  }
  const m = /^\/models\/([^/]+)(\/invocations)?$/.exec(pathname);
  if (m !== null) {
    let name: string;
    try {
      name = decodeURIComponent(m[1] as string);
    } catch {
      return undefined;
    }
    return m[2] === undefined ? { template: '/models/:name', allow: ['GET'], model: name } : { template: '/models/:name/invocations', allow: ['POST'], model: name };
  }
  return undefined;
}

/** The served models, checked once: their schemas, the default and the request limits. */
interface ServedModels {
  readonly options: ModelServerOptions;
  readonly names: readonly string[];
  readonly schemas: ReadonlyMap<string, ModelSchema>;
  readonly defaultModel: string;
  readonly maxBody: number;
  readonly maxInstances: number;
}

/** Checks the options and builds every model's schema (see {@link createModelRequestHandler} for the errors). */
function servedModels(options: ModelServerOptions): ServedModels {
  const names = Object.keys(options.models).sort();
  if (names.length === 0) {
    throw new HealthDataError('invalid-input', 'createModelRequestHandler: no models; pass { models: { name: predictor } } with at least one fitted predictor', { path: 'models' });
  }
  const schemas = new Map<string, ModelSchema>();
  for (const name of names) {
    if (!NAME.test(name)) {
      throw new HealthDataError('invalid-input', `createModelRequestHandler: model name ${JSON.stringify(name)} must be letters, digits, dot, dash or underscore (≤ 128)`, { path: 'models' });
    }
    schemas.set(name, modelSchema(name, options.models[name] as TabularPredictor));
  }
  const defaultModel = options.defaultModel ?? names[0] ?? '';
  if (!schemas.has(defaultModel)) {
    throw new HealthDataError('invalid-input', `createModelRequestHandler: defaultModel ${JSON.stringify(defaultModel)} is not one of ${names.join(', ')}`, { path: 'defaultModel' });
  }
  return { options, names, schemas, defaultModel, maxBody: options.maxBodyBytes ?? 6 * 1024 * 1024, maxInstances: options.maxInstances ?? 10000 };
}

/** A served model by name, or a 404. */
function modelOf(served: ServedModels, name: string): { predictor: TabularPredictor; schema: ModelSchema } {
  const schema = served.schemas.get(name);
  if (schema === undefined) {
    throw new HttpFailure(404, 'unknown-model', `no model named ${JSON.stringify(name.slice(0, 128))}; served models: ${served.names.join(', ')}`);
  }
  return { predictor: served.options.models[name] as TabularPredictor, schema };
}

/** What a request is answered with (before serialisation). */
interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly instances: number;
}

/** Answers a request: routing, method check, the read-only routes, or an invocation. */
async function answerRequest(served: ServedModels, req: http.IncomingMessage, route: Route | undefined): Promise<Answer> {
  const method = req.method ?? 'GET';
  if (route === undefined) {
    throw new HttpFailure(404, 'not-found', 'no such route; the server answers GET /ping, POST /invocations, GET /models, GET /models/<name> and POST /models/<name>/invocations');
  }
  if (!route.allow.includes(method)) {
    throw new HttpFailure(405, 'method-not-allowed', `${method} is not allowed on ${route.template}; use ${route.allow.join(', ')}`, { headers: { allow: route.allow.join(', ') } });
  }
  if (route.template === '/ping') {
    return { status: 200, body: { status: 'healthy', models: served.names }, instances: 0 };
  }
  if (route.template === '/models') {
    return { status: 200, body: { defaultModel: served.defaultModel, models: served.names.map((n) => served.schemas.get(n)) }, instances: 0 };
  }
  if (route.template === '/models/:name') {
    return { status: 200, body: modelOf(served, route.model as string).schema, instances: 0 };
  }
  return answerInvocation(served, req, route);
}

/** An invocation: which model, then content negotiation, then the body, its validation and the predictions. */
async function answerInvocation(served: ServedModels, req: http.IncomingMessage, route: Route): Promise<Answer> {
  const target = req.headers[TARGET_MODEL_HEADER];
  const name = route.model ?? (typeof target === 'string' && target !== '' ? target : served.defaultModel);
  const { predictor, schema } = modelOf(served, name);
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new HttpFailure(415, 'unsupported-media-type', `content-type ${JSON.stringify(req.headers['content-type'] ?? '')} is not supported; send application/json`);
  }
  if (!acceptsJson(req.headers.accept)) {
    throw new HttpFailure(406, 'not-acceptable', `accept ${JSON.stringify(req.headers.accept)} cannot be met; the server answers application/json`);
  }
  const raw = await readBody(req, served.maxBody);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new HttpFailure(400, 'invalid-json', `the body is not valid JSON (${raw.length === 0 ? 'empty body' : (e as Error).message}); send {"instances": [ … ]}`);
  }
  const rows = validateInstances(schema, body, served.maxInstances);
  return { status: 200, body: { model: name, predictions: servePredictions(predictor, rows) }, instances: rows.length };
}

/** The error body and status of a failed request (a 500 carries no detail that could echo request data). */
function failureAnswer(e: unknown): { status: number; body: ServeErrorBody; headers: Readonly<Record<string, string>>; close: boolean } {
  if (e instanceof HttpFailure) {
    const body: ServeErrorBody = { error: { status: e.status, type: e.type, message: e.message, ...(e.problems === undefined ? {} : { problems: e.problems }) } };
    // After a refused body the rest of it is discarded and the connection closed, so the client reads the answer.
    return { status: e.status, body, headers: e.headers, close: e.status === 413 };
  }
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? ` (${(e as { code: string }).code})` : '';
  return { status: 500, body: { error: { status: 500, type: 'internal', message: `prediction failed${code}; check the model files and the server` } }, headers: {}, close: true };
}

/**
 * The request handler of the model server, for `http.createServer` (use {@link startModelServer} to listen).
 *
 * @param options - the models and limits
 * @returns the handler
 * @throws {@link HealthDataError} (invalid-input) when no model is given, a name is not URL-safe, a predictor is not fitted, or the default model is unknown
 */
export function createModelRequestHandler(options: ModelServerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const served = servedModels(options);
  return (req, res) => {
    const t0 = performance.now();
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '/';
    }
    const route = matchRoute(pathname);
    const finish = (status: number, body: unknown, instances: number, headers: Readonly<Record<string, string>> = {}, close = false): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        ...(close ? { connection: 'close' } : {}),
        ...headers,
      });
      res.end(text);
      options.onRequest?.({ method: req.method ?? '', route: route?.template ?? 'unmatched', status, ms: performance.now() - t0, instances });
    };
    answerRequest(served, req, route).then(
      (r) => {
        finish(r.status, r.body, r.instances);
      },
      (e: unknown) => {
        const f = failureAnswer(e);
        finish(f.status, f.body, 0, f.headers, f.close);
        if (f.status === 413) {
          req.resume();
        }
      },
    );
  };
}

/**
 * Starts the model server.
 *
 * @param options - the models, limits, host and port
 * @returns the running server (close it when done)
 * @throws {@link HealthDataError} (invalid-input) for bad options; (conflict) when the port is taken
 * @example
 * ```ts
 * const server = await startModelServer({ models: { hypertension: ws.automl.loadPredictor('hypertension') } });
 * const res = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [row] }) });
 * await server.close();
 * ```
 */
export async function startModelServer(options: StartModelServerOptions): Promise<RunningModelServer> {
  const handler = createModelRequestHandler(options);
  const server = http.createServer(handler);
  // Slow or stalled clients cannot hold a connection open for long.
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new HealthDataError('conflict', `startModelServer: port ${String(options.port)} on ${host} is in use; pick another port or 0 for a free one`, { path: 'port', cause: e })
          : e,
      );
    });
    server.listen(options.port ?? 0, host, () => {
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const names = Object.keys(options.models).sort();
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${String(port)}`,
    port,
    models: names,
    defaultModel: options.defaultModel ?? (names[0] as string),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
