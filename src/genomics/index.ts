/**
 * Genomics: VCF/FASTA formats, reference/variant/annotation stores (local and AWS), guidance queries, features.
 */
export * from '../formats/vcf/index';
export * from '../formats/fasta/index';
export * from './types';
export * from './schema';
export * from './queries';
export * from './features';
export * from './handle';
export * from './pipeline-steps';
export * from './local/local-stores';
export * from './local/parquet-writer';
export * from './aws/omics-stores';
export * from './aws/s3-parquet-tables';
