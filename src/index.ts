/**
 * multimodal-health: the public API (`import { … } from '../dist/index'` in the notebooks). It holds what a notebook
 * author or library user calls, grouped by capability; everything else is internal to its module (tests and the CLI
 * import modules directly). `test/public-api.test.ts` pins this list against `docs/public-api.txt`, so a change to
 * the surface is a reviewed diff.
 *
 * Calling style: a store or query of one domain is a method of the workspace's handle (`ws.clinical.cohort()`,
 * `ws.genomics.features()`, `ws.imaging.searchImageSets()`, `ws.features.buildDataset()`, `ws.automl.modelsDir`);
 * work that reads one domain and writes another, or spans several, is a free function taking the workspace or the
 * handles it needs (`writeGenomicFeatureGroup(ws.features, table)`, `buildOutcomeDataset(ws, outcome)`,
 * `writeDashboard(ws)`). Figure builders are pure free functions.
 */

// Workspace, configuration, errors, progress
export { openWorkspace } from './workspace';
export type { OpenWorkspaceOptions, Workspace } from './workspace';
export type { WorkspaceCore } from './workspace-core';
export type { Backend, Preset, WorkspaceConfig, WorkspaceOptions } from './config';
export { HealthDataError, isHealthDataError, normalizeErrorString } from './errors';
export type { HealthDataErrorCode } from './errors';
export { silentProgress } from './progress';
export type { ProgressReporter } from './progress';

// Pipeline: the registered steps, the runner, environment set-up (notebook 00)
export { ensureDashboardSteps, ensureSteps, PIPELINE_STEPS, STEP_PREREQUISITES } from './pipeline-steps';
export { formatPipelineSummary, runPipeline } from './pipeline';
export type { PipelineStep, PipelineSummary } from './pipeline';
export type { StepResult } from './step';
export { describeEnvironment, prepareWorkspaceFolders, selfCheckEngine } from './setup';
export type { EnvironmentCheck } from './setup';
export type { Row, SqlEngine } from './sql/engine';
export { PORTABLE_MACROS } from './sql/portable-macros';

// Synthetic cohort (generator and Coherent converter)
export { generateCohort, PRESET_PATIENTS } from './cohort/generate';
export type { GenerateCohortOptions } from './cohort/generate';
export { convertCoherent } from './cohort/convert/convert';
export type { ConvertCoherentOptions } from './cohort/convert/convert';
export { coherentDir } from './cohort/steps';

// Clinical: outcomes, cohorts, features, the clinical steps' work (notebooks 02, 06)
export { OUTCOMES, STUDY_DESIGNS } from './clinical/cohort';
export type { CohortDefinition, Outcome, StudyDesign } from './clinical/cohort';
export type { ClinicalCohort, ClinicalHandle } from './clinical/handle';
export { CLINICAL_FEATURE_COLUMNS } from './clinical/features';
export { cohortSummary } from './clinical/cohort-summary';
export { clinicalInputDir, writeClinicalFeatureGroup } from './clinical/pipeline-steps';
export { importJobFolder } from './clinical/local/job-files';

// Genomics: files, guidance queries, features, the genomic steps' work (notebooks 01, 05)
export { findGenomicFiles } from './genomics/handle';
export type { GenomicsHandle } from './genomics/handle';
export { clinvarMatchedAllelesSql, guidanceClinvarJoinSql } from './genomics/queries';
export { APOE_MARKERS, DEFAULT_GENE_SETS } from './genomics/features';
export type { GenomicFeatureTable } from './genomics/features';
export { GENOMIC_FEATURE_GROUP, writeGenomicFeatureGroup } from './genomics/pipeline-steps';

// Imaging: datastore, masks, radiomics, the imaging steps' work (notebooks 03, 04, 07)
export { DEFAULT_DATASTORE_NAME } from './imaging/store';
export type { ImagingStore } from './imaging/types';
export { extractImagingFeatures } from './imaging/features';
export type { ImagingFeatureRow } from './imaging/features';
export { brainMasks } from './imaging/masks';
export { computeRadiomics } from './imaging/radiomics/extract';
export { findDicomDir, IMAGING_FEATURE_GROUP, writeImagingFeatureGroup } from './imaging/pipeline-steps';
export { pngImgTag, slicePng } from './imaging/png';

// Feature store and single-patient records (notebook 08)
export type { FeatureStore } from './features/store';
export type { TrainingDataset } from './features/dataset';
export { modalityFunnel, patientRecord } from './features/patient-record';

// AutoML: experiments, outcome models, metrics, model server (notebooks 09, 10)
export { buildOutcomeDataset, imagingStudyDates, oracleFor, readOracles, readOutcomeModelReports, runDesign, saveOutcomeModel, trainOutcomeModels } from './automl/outcome-models';
export type { DesignRun, OracleAuroc, OutcomeModelReport } from './automl/outcome-models';
export { MIN_SUPPORT, modalitySets, runModalityExperiment, SELECTION_RULE } from './automl/experiment';
export type { ModalityExperimentResult, ModalitySet, PairedSetRow } from './automl/experiment';
export { PIPELINE_PRESET } from './automl/presets';
export { subsetTable, TabularPredictor } from './automl/predictor';
export type { FitOptions, PredictorOptions } from './automl/predictor';
export { stratifiedHoldout } from './automl/cv';
export { crossValidate } from './automl/evaluation';
export { permutationImportance } from './automl/importance';
export { labelShuffleGuard } from './automl/leakage-guard';
export { auroc, calibrationCurve, delongAuroc, rocCurve } from './automl/metrics';
export type { DelongResult, MetricName } from './automl/metrics';
export { modelSchema, startModelServer } from './automl/serve';
export type { ModelSchema, ServedPrediction, ServeErrorBody } from './automl/serve';
export { autoGluonInferenceContainer, endpointDeploymentInputs } from './automl/aws/sagemaker-endpoint';

// Figures and notebook display (pure plotly builders: data in, figure JSON out)
export { showFigure } from './viz/show-figure';
export { showTable, tslabDisplay } from './viz/notebook';
export type { PlotlyFigure } from './viz/figure';
export { distributionsByOutcome, summarizeTable, topAssociations } from './viz/explore';
export { modelCalibrationFigure, modelImportanceFigure, modelRocFigure } from './viz/figures-models';
export type { ModelFigure, ScoredSeries } from './viz/figures-models';
export { ageSexCounts, apoeCounts, apoeFigure, conditionCounts, conditionPrevalenceFigure, demographicsPyramid, distributionByOutcomeFigure, splitHistogram } from './viz/figures-population';
export { timelineFigure } from './viz/figures-patient';
export { apoeAlleleFrequencyFigure, significanceMixFigure } from './viz/figures-genomic';
export { radiomicFeatureValues } from './viz/rows';
export { patientTimelineFigure, patientVitalsFigure } from './viz/patient-timeline';
export { modalityFunnelFigure, modalityUpsetFigure } from './viz/modality-overlap';

// Dashboard (notebook 11, `mmh dashboard`)
export { writeDashboard, writeDashboardSite } from './dashboard/write';
export type { DashboardSiteResult, WriteDashboardOptions } from './dashboard/write';
export { loadDashboardInput } from './dashboard/load';
export { serveDashboard } from './dashboard/serve';
export type { DashboardServer } from './dashboard/serve';
export type { DashboardInput } from './dashboard/types';
