/**
 * Fills a {@link DashboardInput} from whatever the workspace holds, through `ws.sql` only (so it runs on DuckDB and
 * Athena alike). Each source is optional: a missing table or an unexpected shape leaves that section empty and
 * records a note the sheet shows — the dashboard renders what exists.
 *
 * Sources: the saved outcome models' reports (`<workspace>/models/<outcome>/outcome-model.json`), the HealthLake-shaped FHIR tables (`patient`, `condition`, `observation`, `encounter`; AWS-SEMANTICS §2),
 * the variant/annotation store tables (§1.5: joined on contig, start, ref, alt; ClinVar CLNSIG/GENEINFO/CLNDN in
 * `attributes`), and a radiomics table (any table whose name contains `radiomic` with a `patient_id` column).
 */
import type { Workspace } from '../workspace';
import { readOutcomeModelReports } from '../automl/outcome-models';
import { normalizeErrorString } from '../errors';
import { DATA_MODALITIES, DASHBOARD_OUTCOMES } from '../viz/rows';
import type { ApoeGenotypeRow, ConditionEventRow, EncounterEventRow, DataModality, ModelResultSummary, NumericObservationRow, DashboardOutcome, DashboardPatient, PatientRiskRow, RadiomicFeatureRow, PatientSex, VariantFindingRow } from '../viz/rows';
import type { DashboardInput } from './types';

type Row = Record<string, unknown>;

function str(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    return String(v);
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  return v === null || v === undefined ? '' : JSON.stringify(v);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

function patientRef(v: unknown): string {
  return str(v).replace(/^(urn:uuid:|Patient\/)/, '');
}

/** Options of {@link loadDashboardInput}. */
export interface DashboardLoadOptions {
  /** Read names and addresses (only when the dashboard will show them). */
  readonly includeIdentifiers?: boolean;
  /** Age reference date (default: today, UTC). */
  readonly asOf?: string;
}

/**
 * Reads the dashboard input from the workspace's tables.
 *
 * @param ws - the open workspace
 * @param options - identifiers, age date
 * @returns the input (sections without a source are empty, with a note)
 */
export async function loadDashboardInput(ws: Workspace, options: DashboardLoadOptions = {}): Promise<DashboardInput> {
  const notes: Record<string, string> = {};
  const tables = new Map<string, Set<string>>();
  try {
    const cols = await ws.sql.query<{ table_name: string; column_name: string }>('SELECT table_name, column_name FROM information_schema.columns');
    for (const c of cols) {
      const t = c.table_name.toLowerCase();
      const set = tables.get(t) ?? new Set<string>();
      set.add(c.column_name.toLowerCase());
      tables.set(t, set);
    }
  } catch (e) {
    notes.clinical = `could not list tables: ${normalizeErrorString(e)}`;
  }
  const tryQuery = async (section: string, sql: string): Promise<Row[]> => {
    try {
      return await ws.sql.query<Row>(sql);
    } catch (e) {
      notes[section] = `could not read: ${normalizeErrorString(e)}`;
      return [];
    }
  };
  // Columns exist only when some resource carries the element (no deceased patient → no deceaseddatetime).
  const patientCols = tables.get('patient') ?? new Set<string>();
  const deceased = patientCols.has('deceaseddatetime') ? 'CAST(deceaseddatetime AS VARCHAR)' : 'CAST(NULL AS VARCHAR)';
  const patientsRaw = tables.has('patient')
    ? await tryQuery('clinical', `SELECT id, gender, CAST(birthdate AS VARCHAR) AS birthdate, ${deceased} AS deceased${options.includeIdentifiers === true ? ', name[1].family AS family, name[1].given[1] AS given, address[1].line[1] AS line, address[1].city AS city' : ''} FROM patient`)
    : [];
  const conditionsRaw = tables.has('condition') ? await tryQuery('clinical', 'SELECT subject.reference AS subject, code.coding[1].code AS code, COALESCE(code.coding[1].display, code.text) AS display, CAST(onsetdatetime AS VARCHAR) AS onset FROM condition') : [];
  const observationsRaw = tables.has('observation')
    ? await tryQuery('clinical', 'SELECT subject.reference AS subject, code.coding[1].code AS code, COALESCE(code.coding[1].display, code.text) AS display, valuequantity.value AS value, valuequantity.unit AS unit, CAST(effectivedatetime AS VARCHAR) AS effective FROM observation WHERE valuequantity.value IS NOT NULL')
    : [];
  const encountersRaw = tables.has('encounter') ? await tryQuery('clinical', 'SELECT subject.reference AS subject, COALESCE(type[1].text, class.code) AS type, CAST(period.start AS VARCHAR) AS start FROM encounter') : [];
  if (!tables.has('patient')) {
    notes.clinical = 'clinical' in notes ? notes.clinical : 'no data yet for this modality (no patient table: run the clinical import)';
  }
  const conditions: ConditionEventRow[] = conditionsRaw.map((r) => ({ patientId: patientRef(r.subject), code: str(r.code), display: str(r.display) || str(r.code), onset: r.onset === null ? null : str(r.onset) }));
  const observations: NumericObservationRow[] = observationsRaw
    .map((r) => ({ patientId: patientRef(r.subject), code: str(r.code), display: str(r.display) || str(r.code), value: num(r.value), unit: str(r.unit), effective: str(r.effective) }))
    .filter((o) => Number.isFinite(o.value));
  const encounters: EncounterEventRow[] = encountersRaw.map((r) => ({ patientId: patientRef(r.subject), type: str(r.type), start: str(r.start) })).filter((e) => e.start !== '');

  // Genomics: variant tables have sample ids; annotation tables (ClinVar) have none.
  const variantShape = ['sampleid', 'calls', 'attributes', 'names', 'contigname', 'start', 'referenceallele', 'alternatealleles'];
  const candidates = [...tables.entries()].filter(([, c]) => variantShape.every((k) => c.has(k))).map(([t]) => t).filter((t) => /^[a-z_][a-z0-9_]*$/.test(t));
  const variantTables: string[] = [];
  const annotationTables: string[] = [];
  for (const t of candidates) {
    const rows = await tryQuery('genomic', `SELECT count(sampleid) AS n FROM ${t}`);
    (num(rows[0]?.n) > 0 ? variantTables : annotationTables).push(t);
  }
  const variants: VariantFindingRow[] = [];
  const apoeCalls = new Map<string, { e4: number; e2: number }>();
  for (const v of variantTables) {
    const rows = await tryQuery('genomic', `SELECT sampleid, names, calls FROM ${v} WHERE cardinality(names) > 0`);
    for (const r of rows) {
      const names = Array.isArray(r.names) ? r.names.map(str) : [];
      const alt = (Array.isArray(r.calls) ? r.calls.map(num) : []).filter((c) => c > 0).length;
      const id = str(r.sampleid);
      if (names.includes('rs429358') || names.includes('rs7412')) {
        const a = apoeCalls.get(id) ?? { e4: 0, e2: 0 };
        if (names.includes('rs429358')) {
          a.e4 = alt;
        } else {
          a.e2 = alt;
        }
        apoeCalls.set(id, a);
      }
    }
    for (const a of annotationTables) {
      const joined = await tryQuery(
        'genomic',
        `SELECT v.sampleid AS sampleid, v.names AS names, v.calls AS calls, element_at(a.attributes, 'GENEINFO') AS geneinfo, element_at(a.attributes, 'CLNSIG') AS clnsig, element_at(a.attributes, 'CLNDN') AS clndn, v.contigname AS chrom, v.start AS pos, v.referenceallele AS ref, v.alternatealleles AS alts
         FROM ${v} v JOIN ${a} a ON v.contigname = a.contigname AND v.start = a.start AND v.referenceallele = a.referenceallele AND v.alternatealleles = a.alternatealleles
         WHERE element_at(a.attributes, 'CLNSIG') IS NOT NULL`,
      );
      for (const r of joined) {
        const calls = Array.isArray(r.calls) ? r.calls.map(num) : [];
        if (!calls.some((c) => c > 0)) {
          continue;
        }
        const names = Array.isArray(r.names) ? r.names.map(str) : [];
        const alts = Array.isArray(r.alts) ? r.alts.map(str) : [];
        variants.push({
          patientId: str(r.sampleid),
          gene: str(r.geneinfo).split(':')[0] ?? '',
          clinicalSignificance: str(r.clnsig),
          variant: names[0] ?? `${str(r.chrom)}:${String(num(r.pos) + 1)}:${str(r.ref)}>${alts.join(',')}`,
          condition: str(r.clndn).replace(/_/g, ' '),
          genotype: calls.map((c) => (c < 0 ? '.' : String(c))).join('/'),
        });
      }
    }
  }
  if (variantTables.length === 0) {
    notes.genomic = 'no data yet for this modality (no variant store table: run the genomic import)';
  }
  const apoe: ApoeGenotypeRow[] = [...apoeCalls.entries()].map(([patientId, a]) => {
    const e4 = Math.min(2, a.e4);
    const e2 = Math.min(2 - e4, a.e2);
    const alleles = [...Array<string>(e2).fill('e2'), ...Array<string>(2 - e4 - e2).fill('e3'), ...Array<string>(e4).fill('e4')];
    return { patientId, genotype: alleles.join('/') };
  });

  // Imaging: a radiomics table with patient_id and numeric feature columns.
  // A radiomics table, or else the imaging feature group's offline view (`imaging_features_<epoch>`).
  const radCandidates = [...tables.entries()].filter(([t, c]) => c.has('patient_id') && /^[a-z_][a-z0-9_]*$/.test(t));
  const radTable =
    radCandidates.find(([t]) => t.includes('radiomic')) ?? radCandidates.find(([t]) => /^imaging_features(_\d+)?$/.test(t));
  const radiomics: RadiomicFeatureRow[] = [];
  if (radTable !== undefined) {
    const rows = await tryQuery('imaging', `SELECT * FROM ${radTable[0]}`);
    for (const r of rows) {
      const features: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) {
        const x = num(v);
        const bookkeeping = ['patient_id', 'event_time', 'write_time', 'api_invocation_time', 'is_deleted'].includes(k);
        if (!bookkeeping && typeof v === 'number' && Number.isFinite(x)) {
          features[k] = x;
        }
      }
      radiomics.push({ patientId: str(r.patient_id), imageSetId: str(r.image_set_id ?? r.imagesetid ?? r.series_instance_uid ?? ''), features });
    }
  } else {
    notes.imaging = 'no data yet for this modality (no radiomics table: run the radiomics step)';
  }

  const outcomeOf = new Map<string, DashboardOutcome>(DASHBOARD_OUTCOMES.map((o) => [o.snomed, o.key]));
  const patientOutcomes = new Map<string, Set<DashboardOutcome>>();
  for (const c of conditions) {
    const k = outcomeOf.get(c.code);
    if (k !== undefined) {
      const s = patientOutcomes.get(c.patientId) ?? new Set<DashboardOutcome>();
      s.add(k);
      patientOutcomes.set(c.patientId, s);
    }
  }
  const withGenomic = new Set([...apoeCalls.keys(), ...variants.map((v) => v.patientId)]);
  const withImaging = new Set(radiomics.map((r) => r.patientId));
  const sexOf = (g: string): PatientSex => (g === 'male' || g === 'female' || g === 'other' ? g : 'unknown');
  const patients: DashboardPatient[] = patientsRaw.map((r) => {
    const id = str(r.id);
    const modalities: DataModality[] = DATA_MODALITIES.filter((m) => m === 'clinical' || (m === 'genomic' && withGenomic.has(id)) || (m === 'imaging' && withImaging.has(id)));
    const name = [str(r.given), str(r.family)].filter((s) => s !== '').join(' ');
    const address = [str(r.line), str(r.city)].filter((s) => s !== '').join(', ');
    return {
      id,
      sex: sexOf(str(r.gender)),
      birthDate: r.birthdate === null || r.birthdate === undefined ? null : str(r.birthdate).slice(0, 10),
      deathDate: r.deceased === null || r.deceased === undefined ? null : str(r.deceased),
      outcomes: DASHBOARD_OUTCOMES.map((o) => o.key).filter((k) => patientOutcomes.get(id)?.has(k) === true),
      modalities,
      ...(options.includeIdentifiers === true ? { name, address } : {}),
    };
  });
  // Models: the reports the train-models step (or notebook 09) saved beside each outcome's model.
  const reports = readOutcomeModelReports(ws.automl.modelsDir);
  const models: ModelResultSummary[] = reports.map((r) => ({
    outcome: r.outcome,
    model: `${r.bestModel} (${r.modalities})`,
    metrics: r.metrics,
    labels: r.labels,
    probabilities: r.probabilities,
    importance: r.importance.map((i) => ({ feature: i.feature, importance: i.importance })),
  }));
  const risks: PatientRiskRow[] = reports.flatMap((r) => r.risks.map((k) => ({ patientId: k.patientId, outcome: r.outcome, probability: k.probability, topFeatures: k.topFeatures })));
  return {
    asOf: options.asOf ?? new Date().toISOString().slice(0, 10),
    patients,
    conditions,
    encounters,
    observations,
    variants,
    apoe,
    radiomics,
    thumbnails: new Map(),
    models,
    risks,
    notes,
  };
}
