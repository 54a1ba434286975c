/**
 * Synthetic Coherent cohort: generator (raw Coherent layout + ground truth) and converter (→ dataset layout).
 */
export { generateCohort, generatorFingerprint, readGeneratorManifest, patientFileStem, GENERATOR_VERSION, GENERATOR_MANIFEST, PRESET_PATIENTS } from './generate';
export type { GenerateCohortOptions, GenerateCohortResult, GeneratorManifest, OutcomeSummary } from './generate';
export { convertCoherent, CONVERSION_REPORT } from './convert/convert';
export type { ConvertCoherentOptions, ConversionReport } from './convert/convert';
export type { ConversionIssue, IssueSeverity } from './convert/report';
export { bgzfCompress } from './convert/bgzf';
export { buildPanelReference, panelReferenceBases, renderFasta, PANEL_REFERENCE_NAME, PANEL_FLANK } from './convert/panel-outputs';
export type { ReferenceWindow, PanelLocus } from './convert/panel-outputs';
export { simulatePatient, RISK_MODEL, END_DATE_MS as COHORT_END_DATE_MS } from './model';
export type { SimPatient, Coverage, PlantedMriEffects, PrecursorName } from './model';
export { PANEL as COHORT_PANEL, OUTCOMES as COHORT_OUTCOMES } from './panel';
export type { PanelMarker, Significance, Outcome as CohortOutcome } from './panel';
export { OUTCOME_CODES as COHORT_OUTCOME_CODES } from './codes';
export { generateStep, convertStep, coherentDir, CONVERTER_VERSION } from './steps';
export { computeOracles, ORACLE_SETS, ORACLE_DESIGNS, ORACLE_MC_PATIENTS } from './oracle';
export type { OracleReport, OracleSettings, OracleEstimate, OracleSetName, OracleDesign, OutcomeOracles, OraclePopulation } from './oracle';
