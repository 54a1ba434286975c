/**
 * Per-patient records for the patient view, written one file per patient and loaded only when picked.
 */
import { escapeHtml } from '../viz/html';
import { tenYearAgeBand, ageInYears, dashboardOutcomeLabel } from '../viz/rows';
import type { ConditionEventRow, EncounterEventRow, NumericObservationRow, DashboardPatient, RadiomicFeatureRow, PatientRiskRow, VariantFindingRow } from '../viz/rows';
import { genomicFindingsFigure, imagingFeaturesFigure, riskFigure, timelineFigure, vitalsTrendFigure } from '../viz/figures-patient';
import { groupBy } from '../util/collections';
import { thumbnailFigure } from '../viz/thumbnail';
import type { DashboardInput, DashboardPatientRecord } from './types';

function byPatient<T extends { readonly patientId: string }>(rows: readonly T[]): Map<string, T[]> {
  return groupBy(rows, (r) => r.patientId);
}

/**
 * The patient summary card as HTML; every value from data is escaped. Names and addresses appear only when
 * `includeIdentifiers` is true.
 *
 * @param p - the patient
 * @param asOf - age reference date
 * @param includeIdentifiers - show name and address
 * @returns the HTML
 */
export function patientSummaryHtml(p: DashboardPatient, asOf: string, includeIdentifiers: boolean): string {
  const rows: [string, string][] = [
    ['Patient id', p.id],
    ['Sex', p.sex],
    ['Age band', tenYearAgeBand(ageInYears(p.birthDate, asOf))],
    ['Outcomes', p.outcomes.length === 0 ? 'none recorded' : p.outcomes.map(dashboardOutcomeLabel).join(', ')],
    ['Data available', p.modalities.length === 0 ? 'none' : p.modalities.join(', ')],
  ];
  if (includeIdentifiers) {
    rows.unshift(['Name', p.name ?? '']);
    rows.push(['Address', p.address ?? '']);
  }
  if (p.deathDate !== undefined && p.deathDate !== null) {
    rows.push(['Deceased', p.deathDate.slice(0, 10)]);
  }
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table class="summary">${body}</table>`;
}

/** Per-patient row indexes, built once for all records. */
export interface DashboardPatientIndex {
  /** Conditions by patient. */
  readonly conditions: Map<string, ConditionEventRow[]>;
  /** Encounters by patient. */
  readonly encounters: Map<string, EncounterEventRow[]>;
  /** Observations by patient. */
  readonly observations: Map<string, NumericObservationRow[]>;
  /** Variants by patient. */
  readonly variants: Map<string, VariantFindingRow[]>;
  /** Radiomic rows by patient. */
  readonly radiomics: Map<string, RadiomicFeatureRow[]>;
  /** Risks by patient. */
  readonly risks: Map<string, PatientRiskRow[]>;
}

/**
 * Groups every per-patient table by patient id (one pass each).
 *
 * @param input - the dashboard input
 * @returns the index
 */
export function indexDashboardRows(input: DashboardInput): DashboardPatientIndex {
  return {
    conditions: byPatient(input.conditions),
    encounters: byPatient(input.encounters),
    observations: byPatient(input.observations),
    variants: byPatient(input.variants),
    radiomics: byPatient(input.radiomics),
    risks: byPatient(input.risks),
  };
}

/**
 * Builds one patient's record: summary card, panels (timeline, vitals, genomic findings, imaging, risk) and where
 * their MRI is.
 *
 * @param p - the patient
 * @param input - the dashboard input (for the thumbnail and the age date)
 * @param idx - from {@link indexDashboardRows}
 * @param includeIdentifiers - show name and address
 * @returns the record
 */
export function buildPatientRecord(p: DashboardPatient, input: DashboardInput, idx: DashboardPatientIndex, includeIdentifiers: boolean): DashboardPatientRecord {
  const figures: { id: string; figure: DashboardPatientRecord['figures'][number]['figure'] }[] = [
    { id: 'timeline', figure: timelineFigure(idx.conditions.get(p.id) ?? [], idx.encounters.get(p.id) ?? []) },
    { id: 'vitals', figure: vitalsTrendFigure(idx.observations.get(p.id) ?? []) },
    { id: 'genomic', figure: genomicFindingsFigure(idx.variants.get(p.id) ?? []) },
  ];
  const thumb = input.thumbnails.get(p.id);
  if (thumb !== undefined) {
    figures.push({ id: 'thumbnail', figure: thumbnailFigure(thumb) });
  }
  figures.push({ id: 'imaging', figure: imagingFeaturesFigure(idx.radiomics.get(p.id) ?? []) });
  figures.push({ id: 'risk', figure: riskFigure(idx.risks.get(p.id) ?? []) });
  // The study description is free text from the DICOM header: shown only with identifiers, like names.
  const found = input.mri?.get(p.id);
  const mri = found === undefined || includeIdentifiers ? found : { ...found, description: '' };
  return { id: p.id, summaryHtml: patientSummaryHtml(p, input.asOf, includeIdentifiers), figures, ...(mri === undefined ? {} : { mri }) };
}
