/**
 * Outcome definitions and leakage-free labels with an index date per patient.
 *
 * Definition (documented in README.md, "Cohort design"):
 * - A patient has an outcome when a **Condition** (never an Encounter: 230690007 is also an Encounter type) carries
 *   one of the outcome's codes **in the SNOMED CT system** (`http://snomed.info/sct`; the same digits under ICD-10 or
 *   another system are not the outcome and are counted, not used); the **onset** is the earliest such Condition's
 *   onsetDateTime (else its recordedDate). A patient with an outcome Condition that has neither date is excluded
 *   (`undatedOutcome`): the onset is unknown, so the patient is neither a case with an index date nor a control.
 *   Aliases: hypertension 38341003 (older Synthea), Alzheimer's 230265002 (familial, early onset).
 * - Three **study designs** ({@link StudyDesign}; README "Cohort design"): `prognostic` (the default; index dates as
 *   below), `landmark` (index = the patient's first imaging study; outcome-free then; label = a later onset) and
 *   `guidance` (the AWS guidance's cross-sectional design: everyone, label = the outcome anywhere in the record,
 *   index = the extraction date so features see the whole record — a description of the record, not a prediction).
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
import { fnv1a32 as stableHash } from '../util/hash'; // FNV-1a: a stable per-patient choice among candidate index dates

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

/** The outcomes, with codes from docs/coherent.md §1.6. */
export const OUTCOMES: Readonly<Record<Outcome, OutcomeDefinition>> = {
  hypertension: { name: 'hypertension', label: 'Hypertension', code: '59621000', codes: ['59621000', '38341003'] },
  stroke: { name: 'stroke', label: 'Stroke', code: '230690007', codes: ['230690007'] },
  chd: { name: 'chd', label: 'Coronary heart disease', code: '53741008', codes: ['53741008'] },
  alzheimers: { name: 'alzheimers', label: "Alzheimer's disease", code: '26929004', codes: ['26929004', '230265002'] },
};

/**
 * A study design (README "Cohort design", docs/cohort.md "Study designs"):
 * - `prognostic`: index date before onset with matched controls ({@link IndexDatePolicy}); features strictly before
 *   the index; a germline genotype is time-invariant (usable whatever its test date); imaging only from studies
 *   dated before the index.
 * - `landmark`: index = the patient's first imaging study date; patients outcome-free at the scan; label = an onset
 *   after it. Makes imaging prospectively usable (the prognostic index rarely follows a scan).
 * - `guidance`: the AWS guidance's cross-sectional design: every patient, label = an outcome Condition anywhere in the
 *   record, features over the whole record with the label's own codes removed. Not a prediction: features may be
 *   dated after the onset (the outcome report's leakage audit measures how much).
 */
export type StudyDesign = 'prognostic' | 'landmark' | 'guidance';

/** The designs, the default first. */
export const STUDY_DESIGNS: readonly StudyDesign[] = ['prognostic', 'landmark', 'guidance'];

/** How the index date is chosen. */
export type IndexDatePolicy =
  { readonly kind: 'fixed'; readonly date: string; readonly horizonYears: number } | { readonly kind: 'before-onset'; readonly yearsBefore: number; readonly controls?: 'matched' | 'last-encounter' };

/** A cohort: outcome, index policy and feature lookback. */
export interface CohortDefinition {
  /** The outcome. */
  readonly outcome: Outcome;
  /** Index date policy (default: 1 year before onset). */
  readonly index?: IndexDatePolicy;
  /** Feature lookback in years before the index (default: all history). */
  readonly lookbackYears?: number;
  /** Study design (default `prognostic`, which uses `index`; `landmark` and `guidance` set their own index dates). */
  readonly design?: StudyDesign;
  /** (`landmark`) patient id → ISO date of the patient's first imaging study. Required for `landmark`. */
  readonly landmarks?: ReadonlyMap<string, string>;
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
  /** An outcome Condition (SNOMED CT) with neither onset nor recordedDate: onset unknown. */
  readonly undatedOutcome?: number;
  /** (`landmark`) no imaging study. */
  readonly noLandmark?: number;
}

/** Labels plus the exclusion counts. */
export interface CohortLabels {
  /** Included patients' labels, sorted by patient id. */
  readonly rows: LabelRow[];
  /** Exclusion counts. */
  readonly excluded: CohortExclusions;
  /** The design the labels follow (default `prognostic`). */
  readonly design?: StudyDesign;
  /** Conditions carrying an outcome code under another code system than SNOMED CT (ignored, counted). */
  readonly otherSystemConditions?: number;
}

/** One Condition carrying one of an outcome's codes, in any code system (the loader does not filter systems). */
export interface OutcomeCondition {
  /** Patient id. */
  readonly patientId: string;
  /** Code system URI of the matching coding. */
  readonly system: string;
  /** The code. */
  readonly code: string;
  /** onsetDateTime, else recordedDate (ISO), or null when the Condition has neither. */
  readonly date: string | null;
}

/** Onsets per patient from outcome Conditions, with what was set aside. */
export interface OutcomeOnsets {
  /** Patient id → earliest dated SNOMED CT outcome Condition (ISO). */
  readonly onsets: Map<string, string>;
  /** Patients with a SNOMED CT outcome Condition that has no date (excluded from every design: onset unknown). */
  readonly undated: Set<string>;
  /** Conditions with an outcome code under another system (not the outcome). */
  readonly otherSystem: number;
}

/**
 * Onsets of an outcome from its Conditions: only codings in the SNOMED CT system count; the earliest dated one is the
 * onset; a patient with an undated one is set aside (its onset may be earlier than any dated one).
 *
 * @param outcome - the outcome
 * @param conditions - Conditions carrying one of the outcome's codes, any system
 * @returns onsets, undated patients, and the count of other-system Conditions
 * @example
 * ```ts
 * outcomeOnsets('stroke', [{ patientId: 'p', system: 'http://hl7.org/fhir/sid/icd-10', code: '230690007', date: '2020-01-01' }]).otherSystem; // 1
 * ```
 */
export function outcomeOnsets(outcome: Outcome, conditions: readonly OutcomeCondition[]): OutcomeOnsets {
  const codes = new Set(OUTCOMES[outcome].codes);
  const onsets = new Map<string, string>();
  const undated = new Set<string>();
  let otherSystem = 0;
  for (const c of conditions) {
    if (!codes.has(c.code)) {
      continue;
    }
    if (c.system !== SNOMED) {
      otherSystem++;
      continue;
    }
    if (c.date === null || c.date === '') {
      undated.add(c.patientId);
      continue;
    }
    const t = parse(c.date, 'onset');
    const prev = onsets.get(c.patientId);
    if (prev === undefined || t < Date.parse(prev)) {
      onsets.set(c.patientId, iso(t));
    }
  }
  for (const p of undated) {
    onsets.delete(p);
  }
  return { onsets, undated, otherSystem };
}

/**
 * Labels of one outcome under a study design, from Conditions in any code system (see {@link outcomeOnsets}).
 *
 * - `prognostic`: {@link buildLabels} with the definition's index policy;
 * - `landmark`: index = `definition.landmarks` date; onset on/before it → excluded (`prevalent`); label 1 when the
 *   onset follows it; no landmark → excluded (`noLandmark`);
 * - `guidance`: index = one second after the latest date in the data (last encounter, onset or death), the same for
 *   everyone; label 1 for any outcome Condition; nobody is excluded for death or age (the guidance keeps them).
 *
 * @param definition - outcome, design, index policy, landmarks
 * @param patients - patient facts
 * @param conditions - outcome Conditions (any system)
 * @param lastEncounters - patient id → ISO start of the last encounter
 * @returns labels, exclusions (with `undatedOutcome`), the design and the other-system count
 * @throws {@link HealthDataError} (invalid-input) for `landmark` without landmarks, or a bad policy
 */
export function buildCohortLabels(definition: CohortDefinition, patients: readonly PatientFacts[], conditions: readonly OutcomeCondition[], lastEncounters: ReadonlyMap<string, string>): CohortLabels {
  const design = definition.design ?? 'prognostic';
  const { onsets, undated, otherSystem } = outcomeOnsets(definition.outcome, conditions);
  const kept = patients.filter((p) => !undated.has(p.patientId));
  const extra = { undatedOutcome: patients.length - kept.length };
  if (design === 'prognostic') {
    const r = buildLabels(definition, kept, onsets, lastEncounters);
    return { rows: r.rows, excluded: { ...r.excluded, ...extra }, design, otherSystemConditions: otherSystem };
  }
  const excluded = { prevalent: 0, notBornAtIndex: 0, deadAtIndex: 0, noAnchor: 0, unmatched: 0, noLandmark: 0, ...extra };
  const rows: LabelRow[] = [];
  const sorted = [...kept].sort((a, b) => a.patientId.localeCompare(b.patientId));
  if (design === 'guidance') {
    let latest = -Infinity;
    for (const m of [lastEncounters, onsets]) {
      for (const v of m.values()) {
        latest = Math.max(latest, parse(v, 'date'));
      }
    }
    for (const p of kept) {
      if (p.deceasedDateTime !== null) {
        latest = Math.max(latest, parse(p.deceasedDateTime, 'deceasedDateTime'));
      }
    }
    const index = iso(Number.isFinite(latest) ? latest + 1000 : Date.now());
    for (const p of sorted) {
      if (p.birthDate === null) {
        excluded.noAnchor++;
        continue;
      }
      const onset = onsets.get(p.patientId);
      rows.push({ patientId: p.patientId, outcome: definition.outcome, label: onset === undefined ? 0 : 1, indexDate: index, onsetDate: onset ?? null });
    }
    return { rows, excluded, design, otherSystemConditions: otherSystem };
  }
  const landmarks = definition.landmarks;
  if (landmarks === undefined) {
    throw new HealthDataError('invalid-input', 'buildCohortLabels: the landmark design needs landmarks (patient id → first imaging study date)', { path: 'landmarks' });
  }
  for (const p of sorted) {
    const scan = landmarks.get(p.patientId);
    if (scan === undefined) {
      excluded.noLandmark++;
      continue;
    }
    if (p.birthDate === null) {
      excluded.noAnchor++;
      continue;
    }
    const index = parse(scan, 'landmark');
    if (index <= parse(p.birthDate, 'birthDate')) {
      excluded.notBornAtIndex++;
      continue;
    }
    if (p.deceasedDateTime !== null && parse(p.deceasedDateTime, 'deceasedDateTime') <= index) {
      excluded.deadAtIndex++;
      continue;
    }
    const onsetText = onsets.get(p.patientId);
    if (onsetText !== undefined && parse(onsetText, 'onset') <= index) {
      excluded.prevalent++;
      continue;
    }
    rows.push({ patientId: p.patientId, outcome: definition.outcome, label: onsetText === undefined ? 0 : 1, indexDate: iso(index), onsetDate: onsetText ?? null });
  }
  return { rows, excluded, design, otherSystemConditions: otherSystem };
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
export function buildLabels(definition: CohortDefinition, patients: readonly PatientFacts[], onsets: ReadonlyMap<string, string>, lastEncounters: ReadonlyMap<string, string>): CohortLabels {
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
