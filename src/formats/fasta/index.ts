/**
 * FASTA reading with samtools `.fai` indexes.
 */
export * from './fasta';
