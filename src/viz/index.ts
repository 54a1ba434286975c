/**
 * Visualization: pure plotly figure builders (data in → figure JSON out), feature exploration helpers, PNG
 * thumbnails and notebook display.
 */
export * from './html';
export * from './notebook';
export * from './figure';
export * from './rows';
export * from './stats';
export * from './figures-population';
export * from './figures-models';
export * from './figures-patient';
export * from './thumbnail';
export * from './explore';
export * from './show-figure';
