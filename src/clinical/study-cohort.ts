/**
 * One outcome's cohort under a study design (cohort.ts {@link StudyDesign}): labels, index dates and clinical
 * features, assembled from a datastore's loaders so the same logic serves every backend that can provide them.
 *
 * The outcome's own codes are removed from the events before features are computed, in every design: under
 * `guidance` the features cover the whole record, and a feature that *is* the label (e.g. `cond_hypertension` for
 * hypertension) would otherwise give it away; under the other designs no such event precedes the index anyway.
 */
import type { ClinicalEvent, PatientFacts } from '../formats/fhir/events';
import type { CohortDefinition, CohortLabels, LabelRow, OutcomeCondition } from './cohort';
import { buildCohortLabels, OUTCOMES } from './cohort';
import type { ClinicalFeatureRow, FeatureEventFilter } from './features';
import { computeClinicalFeatures, FEATURE_EVENTS } from './features';
import { appendAll } from '../util/collections';

/** What {@link assembleCohort} reads from a datastore. */
export interface CohortSources {
  /** Patient facts (birth, death, sex). */
  patients(): Promise<PatientFacts[]>;
  /** Conditions with one of the codes, any system, dated or not. */
  outcomeConditions(codes: readonly string[]): Promise<OutcomeCondition[]>;
  /** Patient id → start of the last encounter. */
  lastEncounters(): Promise<Map<string, string>>;
  /**
   * Events strictly before each label's index (and within the lookback). With `only`, the source may leave out
   * every event outside the filter (the features read no other).
   */
  eventsBefore(labels: readonly LabelRow[], lookbackYears?: number, only?: FeatureEventFilter): Promise<ClinicalEvent[]>;
  /**
   * Most labelled patients whose events are loaded at once (default: every label in one call). Features depend only on
   * each patient's own events, so they are computed batch by batch with the same result, and memory follows this size
   * rather than the cohort's (a 100,000-patient cohort holds millions of events).
   */
  readonly eventBatchPatients?: number;
}

/** Labels and features of one cohort. */
export interface StudyCohort {
  /** Labels, index dates, exclusions. */
  readonly labels: CohortLabels;
  /** One feature row per labelled patient (label order). */
  readonly features: ClinicalFeatureRow[];
  /**
   * (`guidance` only) the cases' features computed from events strictly before their onset: what a prediction
   * could have seen. The leakage audit compares them with `features`.
   */
  readonly preOnsetFeatures?: ClinicalFeatureRow[];
}

/**
 * Events without the outcome's own codes (any code system).
 *
 * @param events - clinical events
 * @param codes - the outcome's codes
 * @returns the other events
 */
export function withoutOutcomeCodes(events: readonly ClinicalEvent[], codes: readonly string[]): ClinicalEvent[] {
  const drop = new Set(codes);
  return events.filter((e) => !(e.resourceType === 'Condition' && drop.has(e.code)));
}

/**
 * Builds one outcome's cohort under its design.
 *
 * @param definition - outcome, design, index policy, landmarks, lookback
 * @param sources - the datastore's loaders
 * @returns labels, features, and (guidance) the cases' pre-onset features
 * @throws HealthDataError (invalid-input) from {@link buildCohortLabels}, or from a source that leaks post-index events
 * @example
 * ```ts
 * const { labels, features } = await assembleCohort({ outcome: 'stroke', design: 'guidance' }, localCohortSources(engine, schema));
 * ```
 */
export async function assembleCohort(definition: CohortDefinition, sources: CohortSources): Promise<StudyCohort> {
  const patients = await sources.patients();
  const labels = await labelsFrom(definition, sources, patients);
  const features = await featuresInBatches(labels.rows, patients, sources, definition);
  if (labels.design !== 'guidance') {
    return { labels, features };
  }
  const atOnset: LabelRow[] = labels.rows.filter((l) => l.label === 1 && l.onsetDate !== null).map((l) => ({ ...l, indexDate: l.onsetDate as string }));
  return { labels, features, preOnsetFeatures: await featuresInBatches(atOnset, patients, sources, definition) };
}

/**
 * The features of every label, loading the events of at most `sources.eventBatchPatients` labels at a time (in label
 * order, so the rows are those of one call over every label) without the outcome's own codes.
 */
async function featuresInBatches(rows: readonly LabelRow[], patients: readonly PatientFacts[], sources: CohortSources, definition: CohortDefinition): Promise<ClinicalFeatureRow[]> {
  const codes = OUTCOMES[definition.outcome].codes;
  const size = Math.max(1, sources.eventBatchPatients ?? rows.length);
  const out: ClinicalFeatureRow[] = [];
  for (let start = 0; start < rows.length; start += size) {
    const batch = rows.slice(start, start + size);
    const events = withoutOutcomeCodes(await sources.eventsBefore(batch, definition.lookbackYears, FEATURE_EVENTS), codes);
    appendAll(out, computeClinicalFeatures(batch, patients, events));
  }
  return out;
}

/**
 * Builds one outcome's labels and index dates under its design, without loading events or computing features: what
 * a caller that reads the features from the feature store needs (the prognostic training set).
 *
 * @param definition - outcome, design, index policy, landmarks, lookback
 * @param sources - the datastore's loaders (events are not read)
 * @returns the labels, as {@link assembleCohort} builds them
 * @throws HealthDataError (invalid-input) from {@link buildCohortLabels}
 */
export async function assembleLabels(definition: CohortDefinition, sources: Omit<CohortSources, 'eventsBefore'>): Promise<CohortLabels> {
  return labelsFrom(definition, sources, await sources.patients());
}

async function labelsFrom(definition: CohortDefinition, sources: Omit<CohortSources, 'eventsBefore'>, patients: readonly PatientFacts[]): Promise<CohortLabels> {
  const conditions = await sources.outcomeConditions(OUTCOMES[definition.outcome].codes);
  return buildCohortLabels(definition, patients, conditions, await sources.lastEncounters());
}
