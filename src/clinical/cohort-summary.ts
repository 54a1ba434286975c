/** One line per outcome cohort: size, cases, prevalence and who was left out (notebook 06's table). */
import { OUTCOMES } from './cohort';
import type { Outcome } from './cohort';
import type { ClinicalCohort } from './handle';

/**
 * A cohort's size and exclusions (counts only: no patient data): `outcome` (its label), `patients`, `cases`,
 * `prevalence` (cases / patients to 3 decimals; 0 for an empty cohort), then every exclusion count of the cohort's labels (`CohortExclusions`).
 */
export type CohortSummaryRow = Readonly<Record<string, string | number>>;

/**
 * Summarises a cohort for display.
 *
 * @param outcome - the outcome the cohort was built for
 * @param cohort - the cohort (`ws.clinical.cohort(...)`)
 * @returns its summary row
 */
export function cohortSummary(outcome: Outcome, cohort: ClinicalCohort): CohortSummaryRow {
  const patients = cohort.labels.rows.length;
  const cases = cohort.labels.rows.filter((r) => r.label === 1).length;
  const prevalence = patients === 0 ? 0 : Math.round((cases / patients) * 1000) / 1000;
  return { outcome: OUTCOMES[outcome].label, patients, cases, prevalence, ...cohort.labels.excluded };
}
