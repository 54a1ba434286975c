/**
 * NDJSON (newline-delimited JSON): the HealthLake import/export format.
 */
export * from './read-lines';
