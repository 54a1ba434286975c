/**
 * HealthLake's FHIR REST API (docs/aws-semantics.md §2), which no SDK client wraps: `GET` requests to
 * `https://healthlake.<region>.amazonaws.com/datastore/<datastoreId>/r4/<Type>/<id>` (read) and
 * `…/r4/<Type>?<params>` (search, paged through the Bundle's `next` link), signed with AWS Signature V4 for the
 * service `healthlake` (`@smithy/signature-v4` + `@aws-crypto/sha256-js`). Credentials come from the caller or the
 * default Node chain (`@aws-sdk/credential-provider-node`: environment, shared config/SSO, container, instance
 * metadata). `fetch` is injectable for tests. Nothing here logs or returns a credential or a signature.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HealthDataError, normalizeErrorString } from '../../errors';
import type { FhirSearchParams, SearchBundle } from '../fhir-store';

/** The subset of `fetch` the client uses (global `fetch` by default). */
export type FetchLike = (url: string, init: { method: 'GET'; headers: Record<string, string> }) => Promise<{ status: number; text(): Promise<string> }>;

/** Credentials as SignatureV4 takes them: static, or a provider. */
export type SigningCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** Options of {@link HealthLakeFhirRest}. */
export interface HealthLakeFhirRestOptions {
  /** AWS region of the datastore, e.g. `us-east-1`. */
  readonly region: string;
  /** Credentials (default: the Node default provider chain). */
  readonly credentials?: SigningCredentials;
  /** HTTP client (default: global `fetch`). */
  readonly fetch?: FetchLike;
  /** Base URL (default `https://healthlake.<region>.amazonaws.com`); for a test server or a VPC endpoint. */
  readonly endpoint?: string;
}

const DATASTORE_ID = /^[0-9a-f]{32}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** RFC 3986 encoding, as SigV4 canonicalises query strings (encodeURIComponent leaves `!'()*` alone). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(query)
    .flatMap(([k, vs]) => vs.map((v) => `${rfc3986(k)}=${rfc3986(v)}`))
    .join('&');
}

function statusCode(status: number): 'not-found' | 'invalid-input' | 'invalid-config' | 'backend' {
  if (status === 404 || status === 410) {
    return 'not-found';
  }
  if (status === 401 || status === 403) {
    return 'invalid-config';
  }
  return status >= 400 && status < 500 && status !== 429 ? 'invalid-input' : 'backend';
}

function outcomeText(body: string): string {
  try {
    const o = JSON.parse(body) as { issue?: { diagnostics?: string; details?: { text?: string } }[]; message?: string };
    const text =
      o.issue
        ?.map((i) => i.diagnostics ?? i.details?.text ?? '')
        .filter((t) => t !== '')
        .join('; ') ??
      o.message ??
      '';
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    return '';
  }
}

/**
 * A SigV4-signing client of one region's HealthLake FHIR REST endpoint.
 *
 * @example
 * ```ts
 * const rest = new HealthLakeFhirRest({ region: 'us-east-1' });
 * const patient = await rest.read(datastoreId, 'Patient', 'p1');
 * const page = await rest.search(datastoreId, 'Condition', { code: 'http://snomed.info/sct|230690007', _count: 50 });
 * ```
 */
export class HealthLakeFhirRest {
  private readonly signer: SignatureV4;
  private readonly fetch: FetchLike;
  private readonly base: URL;

  /**
   * @param options - region, credentials, fetch, endpoint
   */
  constructor(options: HealthLakeFhirRestOptions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) {
      throw new HealthDataError('invalid-config', `HealthLake FHIR REST: "${options.region}" is not an AWS region (e.g. us-east-1); set AWS_REGION`, { path: 'aws.region' });
    }
    this.base = new URL(options.endpoint ?? `https://healthlake.${options.region}.amazonaws.com`);
    this.signer = new SignatureV4({ service: 'healthlake', region: options.region, credentials: options.credentials ?? defaultProvider(), sha256: Sha256 });
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /**
   * The FHIR base URL of a datastore.
   *
   * @param datastoreId - 32 hex characters
   * @returns `<endpoint>/datastore/<id>/r4/`
   * @throws {@link HealthDataError} (invalid-input) for a malformed id
   */
  datastoreBase(datastoreId: string): string {
    if (!DATASTORE_ID.test(datastoreId)) {
      throw new HealthDataError('invalid-input', `HealthLake FHIR REST: "${datastoreId}" is not a datastore id (32 hex characters)`, { path: 'datastoreId' });
    }
    return new URL(`/datastore/${datastoreId}/r4/`, this.base).toString();
  }

  private checkType(fn: string, resourceType: string): void {
    if (!RESOURCE_TYPE.test(resourceType)) {
      throw new HealthDataError('invalid-input', `${fn}: "${resourceType}" is not a FHIR resource type name (e.g. Patient, Observation)`, { path: 'resourceType' });
    }
  }

  /**
   * Signs and sends a GET; parses the JSON answer.
   *
   * @param fn - caller name, for messages
   * @param path - URL path (already encoded)
   * @param query - query parameters (values repeated in order)
   * @returns the parsed body
   */
  private async get(fn: string, path: string, query: Readonly<Record<string, readonly string[]>>): Promise<Record<string, unknown>> {
    const request = new HttpRequest({
      method: 'GET',
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      ...(this.base.port === '' ? {} : { port: Number(this.base.port) }),
      path,
      query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : [...v]])),
      headers: { host: this.base.host, accept: 'application/fhir+json' },
    });
    let headers: Record<string, string>;
    try {
      headers = (await this.signer.sign(request)).headers;
    } catch (e) {
      throw new HealthDataError('invalid-config', `${fn}: could not sign the HealthLake request (no AWS credentials?): ${normalizeErrorString(e)}`, { cause: e });
    }
    const qs = queryString(query);
    const url = `${this.base.protocol}//${this.base.host}${path}${qs === '' ? '' : `?${qs}`}`;
    let status: number;
    let text: string;
    try {
      const res = await this.fetch(url, { method: 'GET', headers });
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw new HealthDataError('backend', `${fn}: HealthLake did not answer (${this.base.host}): ${normalizeErrorString(e)}`, { cause: e });
    }
    if (status < 200 || status >= 300) {
      const why = outcomeText(text);
      throw new HealthDataError(statusCode(status), `${fn}: HealthLake answered HTTP ${status}${why === '' ? '' : `: ${why}`}`, { path });
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new HealthDataError('backend', `${fn}: HealthLake answered HTTP ${status} with a body that is not JSON`, { cause: e });
    }
  }

  /**
   * `GET <base>/<Type>/<id>`.
   *
   * @param datastoreId - the datastore
   * @param resourceType - e.g. `Patient`
   * @param id - the resource id
   * @returns the resource
   * @throws {@link HealthDataError} (not-found) on HTTP 404; (invalid-config) on 401/403; (backend) otherwise
   */
  async read(datastoreId: string, resourceType: string, id: string): Promise<Record<string, unknown>> {
    this.checkType('read', resourceType);
    if (!FHIR_ID.test(id)) {
      throw new HealthDataError('invalid-input', `read: "${id}" is not a FHIR id (1-64 characters of A-Z a-z 0-9 - .)`, { path: 'id' });
    }
    const base = new URL(this.datastoreBase(datastoreId));
    return this.get('read', `${base.pathname}${resourceType}/${id}`, {});
  }

  /**
   * `GET <base>/<Type>?<params>`: a page of a search.
   *
   * @param datastoreId - the datastore
   * @param resourceType - e.g. `Observation`
   * @param params - FHIR search parameters (arrays repeat the parameter: AND)
   * @returns the searchset Bundle
   */
  async search(datastoreId: string, resourceType: string, params: FhirSearchParams = {}): Promise<SearchBundle> {
    this.checkType('search', resourceType);
    const base = new URL(this.datastoreBase(datastoreId));
    const query: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(params)) {
      query[k] = (Array.isArray(v) ? (v as (string | number)[]) : [v as string | number]).map(String);
    }
    return toSearchBundle(await this.get('search', `${base.pathname}${resourceType}`, query));
  }

  /**
   * Follows a searchset `next` link (signed like any request; only links on this endpoint are followed).
   *
   * @param url - the `link[relation=next].url` of a previous page
   * @returns the next page
   * @throws {@link HealthDataError} (invalid-input) for a URL on another host or outside a datastore
   */
  async searchNext(url: string): Promise<SearchBundle> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new HealthDataError('invalid-input', `searchNext: "${url.slice(0, 80)}" is not a URL`, { path: 'url' });
    }
    if (u.host !== this.base.host || u.protocol !== this.base.protocol || !/^\/datastore\/[0-9a-f]{32}\/r4\/[A-Z][A-Za-z]+$/.test(u.pathname)) {
      throw new HealthDataError('invalid-input', `searchNext: "${u.host}${u.pathname}" is not a search link of ${this.base.host}; pass the next link of a search Bundle`, { path: 'url' });
    }
    const query: Record<string, string[]> = {};
    for (const [k, v] of u.searchParams) {
      (query[k] ??= []).push(v);
    }
    return toSearchBundle(await this.get('searchNext', u.pathname, query));
  }
}

/**
 * Normalises a HealthLake searchset Bundle to {@link SearchBundle}: keeps `self`/`next` links and match entries.
 * HealthLake may leave `total` out; it is then the number of entries on this page.
 *
 * @param b - the parsed Bundle
 * @returns the normalised Bundle
 */
export function toSearchBundle(b: Record<string, unknown>): SearchBundle {
  if (b.resourceType !== 'Bundle') {
    throw new HealthDataError('backend', `search: HealthLake answered a ${typeof b.resourceType === 'string' ? b.resourceType : 'non-FHIR body'}, not a Bundle`);
  }
  const entries = (Array.isArray(b.entry) ? (b.entry as { fullUrl?: unknown; resource?: unknown; search?: { mode?: unknown } }[]) : [])
    .filter((e) => typeof e.resource === 'object' && e.resource !== null && (e.search?.mode === undefined || e.search.mode === 'match'))
    .map((e) => ({ fullUrl: typeof e.fullUrl === 'string' ? e.fullUrl : '', resource: e.resource as Record<string, unknown>, search: { mode: 'match' as const } }));
  const link = (Array.isArray(b.link) ? (b.link as { relation?: unknown; url?: unknown }[]) : [])
    .filter((l): l is { relation: 'self' | 'next'; url: string } => (l.relation === 'self' || l.relation === 'next') && typeof l.url === 'string')
    .map((l) => ({ relation: l.relation, url: l.url }));
  return { resourceType: 'Bundle', type: 'searchset', total: typeof b.total === 'number' ? b.total : entries.length, link, entry: entries };
}
