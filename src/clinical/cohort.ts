/**
 * Outcome definitions and leakage-free labels with an index date per patient.
 *
 * Definition (documented in README.md, "Cohort design"):
 * - A patient has an outcome when a **Condition** (never an Encounter: 230690007 is also an Encounter type) carries
 *   one of the outcome's SNOMED CT codes; the **onset** is the earliest such Condition's onsetDateTime (else its
 *   recordedDate). Aliases: hypertension 38341003 (older Synthea), Alzheimer's 230265002 (familial, early onset).
 * - **Index date** (the moment of prediction; features use only data dated strictly before it):
 *   - `fixed`: the same calendar date for everyone. Prevalent cases (onset on/before the index) are excluded;
 *     label 1 when onset falls in (index, index + horizon], else 0. Patients born after the index or dead before it
 *     are excluded.
 *   - `before-onset`: cases are indexed `yearsBefore` years before their onset. Controls (`controls: 'matched'`,
 *     the default) get a case's index date (incidence-density sampling): one of the cases' index dates at which
 *     the control was alive and still had `yearsBefore` years of outcome-free records after it (index ≤ last
 *     encounter − `yearsBefore`), picked deterministically per patient; a control with no such date is excluded
 *     (`unmatched`). Cases and controls are then indexed over the same calendar span, so the amount of history
 *     before the index does not give the label away. `controls: 'last-encounter'` (each control at its last
 *     encounter minus `yearsBefore`) is kept for comparison: it indexes controls late in their records, and
 *     history-length features (encounter counts, age) then separate cases from controls by construction.
 *     Patients whose index would precede birth are excluded.
 * - A `lookbackYears` window (default: all history) bounds how far back features look.
 */
import { HealthDataError } from '../errors';
import type { PatientFacts } from '../formats/fhir/events';

/** SNOMED CT's system URI. */
export const SNOMED = 'http://snomed.info/sct';

/** The four outcomes of the guidance. */
export type Outcome = 'hypertension' | 'stroke' | 'chd' | 'alzheimers';

/** One outcome's definition. */
export interface OutcomeDefinition {
  /** Short name. */
  readonly name: Outcome;
  /** Label shown in tables. */
  readonly label: string;
  /** The guidance's SNOMED CT code. */
  readonly code: string;
  /** Accepted codes (the guidance code first, then documented aliases). */
  readonly codes: readonly string[];
}

/** The outcomes, with codes from COHERENT.md §1.6. */
export const OUTCOMES: Readonly<Record<Outcome, OutcomeDefinition>> = {
  hypertension: { name: 'hypertension', label: 'Hypertension', code: '59621000', codes: ['59621000', '38341003'] },
  stroke: { name: 'stroke', label: 'Stroke', code: '230690007', codes: ['230690007'] },
  chd: { name: 'chd', label: 'Coronary heart disease', code: '53741008', codes: ['53741008'] },
  alzheimers: { name: 'alzheimers', label: "Alzheimer's disease", code: '26929004', codes: ['26929004', '230265002'] },
};

/** How the index date is chosen. */
export type IndexDatePolicy =
  | { readonly kind: 'fixed'; readonly date: string; readonly horizonYears: number }
  | { readonly kind: 'before-onset'; readonly yearsBefore: number; readonly controls?: 'matched' | 'last-encounter' };

/** A cohort: outcome, index policy and feature lookback. */
export interface CohortDefinition {
  /** The outcome. */
  readonly outcome: Outcome;
  /** Index date policy (default: 1 year before onset). */
  readonly index?: IndexDatePolicy;
  /** Feature lookback in years before the index (default: all history). */
  readonly lookbackYears?: number;
}

/** One patient's label for one outcome. */
export interface LabelRow {
  /** Patient id. */
  readonly patientId: string;
  /** The outcome. */
  readonly outcome: Outcome;
  /** 1 = case, 0 = control. */
  readonly label: 0 | 1;
  /** ISO date-time of the index (features use only data strictly before it). */
  readonly indexDate: string;
  /** ISO onset of the outcome, or null for controls (and controls with a late onset under `fixed`). */
  readonly onsetDate: string | null;
}

/** Why patients were left out of a cohort, with counts. */
export interface CohortExclusions {
  /** Onset on or before a fixed index (prevalent cases). */
  readonly prevalent: number;
  /** Born after the index (or index before birth). */
  readonly notBornAtIndex: number;
  /** Died before the index. */
  readonly deadAtIndex: number;
  /** No birth date, or (before-onset controls) no encounter to anchor the index. */
  readonly noAnchor: number;
  /** (before-onset, matched controls) no case index date falls in the control's observed, alive span. */
  readonly unmatched: number;
}

/** Labels plus the exclusion counts. */
export interface CohortLabels {
  /** Included patients' labels, sorted by patient id. */
  readonly rows: LabelRow[];
  /** Exclusion counts. */
  readonly excluded: CohortExclusions;
}

const YEAR_MS = 365.25 * 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parse(d: string, what: string): number {
  const t = Date.parse(d);
  if (!Number.isFinite(t)) {
    throw new HealthDataError('invalid-input', `buildLabels: ${what} "${d}" is not an ISO date`, { path: what });
  }
  return t;
}

/** The default index policy: one year before onset; controls at a matched case index date. */
export const DEFAULT_INDEX_POLICY: IndexDatePolicy = { kind: 'before-onset', yearsBefore: 1, controls: 'matched' };

/** FNV-1a of a string: a stable per-patient choice among candidate index dates. */
function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** First position in the sorted array whose value is ≥ x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Builds labels and index dates for one outcome.
 *
 * @param definition - outcome, index policy
 * @param patients - patient facts (birth and death dates)
 * @param onsets - patient id → ISO onset of the outcome (earliest matching Condition)
 * @param lastEncounters - patient id → ISO start of the patient's last encounter
 * @returns the included patients' labels and the exclusion counts
 * @throws {@link HealthDataError} (invalid-input) for an unknown outcome or a bad policy
 * @example
 * ```ts
 * const { rows } = buildLabels({ outcome: 'stroke', index: { kind: 'before-onset', yearsBefore: 1 } }, patients, onsets, lastEncounters);
 * ```
 */
export function buildLabels(
  definition: CohortDefinition,
  patients: readonly PatientFacts[],
  onsets: ReadonlyMap<string, string>,
  lastEncounters: ReadonlyMap<string, string>,
): CohortLabels {
  if (!(definition.outcome in OUTCOMES)) {
    throw new HealthDataError('invalid-input', `buildLabels: outcome "${definition.outcome as string}" is not one of ${Object.keys(OUTCOMES).join(', ')}`, {
      path: 'outcome',
    });
  }
  const policy = definition.index ?? DEFAULT_INDEX_POLICY;
  if (policy.kind === 'before-onset' && !(policy.yearsBefore >= 0)) {
    throw new HealthDataError('invalid-input', `buildLabels: yearsBefore must be ≥ 0, got ${policy.yearsBefore}`, { path: 'index.yearsBefore' });
  }
  if (policy.kind === 'fixed' && !(policy.horizonYears > 0)) {
    throw new HealthDataError('invalid-input', `buildLabels: horizonYears must be > 0, got ${policy.horizonYears}`, { path: 'index.horizonYears' });
  }
  const fixedIndex = policy.kind === 'fixed' ? parse(policy.date, 'index.date') : 0;
  const excluded = { prevalent: 0, notBornAtIndex: 0, deadAtIndex: 0, noAnchor: 0, unmatched: 0 };
  // Matched controls draw from the index dates of the cases that are themselves included (born, alive at index).
  const matched = policy.kind === 'before-onset' && policy.controls !== 'last-encounter';
  const caseIndexes: number[] = [];
  if (matched) {
    for (const p of patients) {
      const onsetText = onsets.get(p.patientId);
      if (onsetText === undefined || p.birthDate === null) {
        continue;
      }
      const index = parse(onsetText, 'onset') - policy.yearsBefore * YEAR_MS;
      const death = p.deceasedDateTime === null ? Infinity : parse(p.deceasedDateTime, 'deceasedDateTime');
      if (index > parse(p.birthDate, 'birthDate') && index < death) {
        caseIndexes.push(index);
      }
    }
    caseIndexes.sort((a, b) => a - b);
  }
  const rows: LabelRow[] = [];
  for (const p of [...patients].sort((a, b) => a.patientId.localeCompare(b.patientId))) {
    if (p.birthDate === null) {
      excluded.noAnchor++;
      continue;
    }
    const birth = parse(p.birthDate, 'birthDate');
    const death = p.deceasedDateTime === null ? Infinity : parse(p.deceasedDateTime, 'deceasedDateTime');
    const onsetText = onsets.get(p.patientId);
    const onset = onsetText === undefined ? undefined : parse(onsetText, 'onset');
    let index: number;
    let label: 0 | 1;
    if (policy.kind === 'fixed') {
      index = fixedIndex;
      if (onset !== undefined && onset <= index) {
        excluded.prevalent++;
        continue;
      }
      label = onset !== undefined && onset <= index + policy.horizonYears * YEAR_MS ? 1 : 0;
    } else if (onset !== undefined) {
      index = onset - policy.yearsBefore * YEAR_MS;
      label = 1;
    } else {
      const last = lastEncounters.get(p.patientId);
      if (last === undefined) {
        excluded.noAnchor++;
        continue;
      }
      const latest = parse(last, 'lastEncounter') - policy.yearsBefore * YEAR_MS;
      label = 0;
      if (matched) {
        // Case index dates inside (birth, min(latest, death)): the control was alive then and is followed after.
        const from = lowerBound(caseIndexes, birth + 1);
        const to = lowerBound(caseIndexes, Math.min(latest + 1, death));
        if (to <= from) {
          excluded.unmatched++;
          continue;
        }
        index = caseIndexes[from + (stableHash(`${definition.outcome}|${p.patientId}`) % (to - from))] as number;
      } else {
        index = latest;
      }
    }
    if (index <= birth) {
      excluded.notBornAtIndex++;
      continue;
    }
    if (death <= index) {
      excluded.deadAtIndex++;
      continue;
    }
    rows.push({ patientId: p.patientId, outcome: definition.outcome, label, indexDate: iso(index), onsetDate: label === 1 && onset !== undefined ? iso(onset) : null });
  }
  return { rows, excluded };
}
