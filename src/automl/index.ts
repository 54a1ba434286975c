/**
 * AutoML: an AutoGluon-style TabularPredictor in TypeScript (preprocessing, model zoo, bagging, weighted
 * ensemble), metrics with confidence intervals, cross-validation, permutation importance, save/load, and the
 * SageMaker AutoGluon-Tabular backend.
 */
export * from './types';
export * from './rng';
export * from './table';
export * from './preprocess';
export * from './metrics';
export * from './calibration';
export * from './stats';
export * from './cv';
export * from './ensemble';
export * from './presets';
export * from './models/model';
export * from './models/binning';
export * from './models/tree';
export * from './models/gbm';
export * from './models/forest';
export * from './models/linear';
export * from './models/knn';
export * from './models/registry';
export * from './predictor';
export * from './persist';
export * from './importance';
export * from './evaluation';
export * from './leakage-guard';
export * from './handle';
export * from './aws/csv';
export * from './aws/sagemaker-autogluon';
export * from './aws/sagemaker-endpoint';
export * from './serve';
export * from './experiment';
export * from './outcome-models';
export * from './delong';
