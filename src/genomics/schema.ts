/**
 * The HealthOmics variant-store / VCF annotation-store table (docs/aws-semantics.md §1.5), as DuckDB and Glue types,
 * and the conversion of VCF records into its rows (one row per record × sample, as the service ETL explodes them).
 */
import type { VcfHeader, VcfRecord } from '../formats/vcf/types';
import { parseGenotype } from '../formats/vcf/record';
import { sqlIdentifier, sqlLiteral } from '../sql/literal';

const STR_PAIR = 'STRUCT(reference VARCHAR, variant VARCHAR)';
const RANK = 'STRUCT("rank" VARCHAR, total VARCHAR)';
/** DuckDB type of one VEP entry of `annotations.vep` (leaves are strings, as in the service schema). */
export const VEP_STRUCT_DUCKDB = `STRUCT(allele VARCHAR, consequence VARCHAR[], impact VARCHAR, symbol VARCHAR, gene VARCHAR, feature_type VARCHAR, feature VARCHAR, biotype VARCHAR, exon ${RANK}, intron ${RANK}, hgvsc VARCHAR, hgvsp VARCHAR, cdna_position VARCHAR, cds_position VARCHAR, protein_position VARCHAR, amino_acids ${STR_PAIR}, codons ${STR_PAIR}, existing_variation VARCHAR[], distance VARCHAR, strand VARCHAR, flags VARCHAR[], symbol_source VARCHAR, hgnc_id VARCHAR, extras MAP(VARCHAR, VARCHAR))`;

/** One column of the variant table: name, DuckDB type, Glue/Hive type. */
export interface VariantColumn {
  /** Lower-case column name. */
  readonly name: string;
  /** DuckDB type. */
  readonly duckdb: string;
  /** Glue (Hive DDL) type, as the service's Glue table declares it. */
  readonly glue: string;
}

const GLUE_VEP =
  'struct<allele:string,consequence:array<string>,impact:string,symbol:string,gene:string,feature_type:string,feature:string,biotype:string,exon:struct<rank:string,total:string>,intron:struct<rank:string,total:string>,hgvsc:string,hgvsp:string,cdna_position:string,cds_position:string,protein_position:string,amino_acids:struct<reference:string,variant:string>,codons:struct<reference:string,variant:string>,existing_variation:array<string>,distance:string,strand:string,flags:array<string>,symbol_source:string,hgnc_id:string,extras:map<string,string>>';

/** The columns, in the service's order (§1.5). */
export const VARIANT_COLUMNS: readonly VariantColumn[] = [
  { name: 'importjobid', duckdb: 'VARCHAR', glue: 'string' },
  { name: 'contigname', duckdb: 'VARCHAR', glue: 'string' },
  { name: 'start', duckdb: 'BIGINT', glue: 'bigint' },
  { name: 'end', duckdb: 'BIGINT', glue: 'bigint' },
  { name: 'names', duckdb: 'VARCHAR[]', glue: 'array<string>' },
  { name: 'referenceallele', duckdb: 'VARCHAR', glue: 'string' },
  { name: 'alternatealleles', duckdb: 'VARCHAR[]', glue: 'array<string>' },
  { name: 'qual', duckdb: 'DOUBLE', glue: 'double' },
  { name: 'filters', duckdb: 'VARCHAR[]', glue: 'array<string>' },
  { name: 'splitfrommultiallelic', duckdb: 'BOOLEAN', glue: 'boolean' },
  { name: 'attributes', duckdb: 'MAP(VARCHAR, VARCHAR)', glue: 'map<string,string>' },
  { name: 'phased', duckdb: 'BOOLEAN', glue: 'boolean' },
  { name: 'calls', duckdb: 'INTEGER[]', glue: 'array<int>' },
  { name: 'genotypelikelihoods', duckdb: 'DOUBLE[]', glue: 'array<double>' },
  { name: 'phredlikelihoods', duckdb: 'INTEGER[]', glue: 'array<int>' },
  { name: 'alleledepths', duckdb: 'INTEGER[]', glue: 'array<int>' },
  { name: 'conditionalquality', duckdb: 'INTEGER', glue: 'int' },
  { name: 'spl', duckdb: 'INTEGER[]', glue: 'array<int>' },
  { name: 'depth', duckdb: 'INTEGER', glue: 'int' },
  { name: 'ps', duckdb: 'INTEGER', glue: 'int' },
  { name: 'sampleid', duckdb: 'VARCHAR', glue: 'string' },
  { name: 'information', duckdb: 'MAP(VARCHAR, VARCHAR)', glue: 'map<string,string>' },
  { name: 'annotations', duckdb: `STRUCT(vep ${VEP_STRUCT_DUCKDB}[])`, glue: `struct<vep:array<${GLUE_VEP}>>` },
];

/**
 * The value an INFO Flag gets in `attributes`. The service's encoding is unverified (docs/aws-semantics.md §1.5); we
 * write `"true"` so `attributes['DB'] = 'true'` and `attributes['DB'] IS NOT NULL` both work.
 */
export const FLAG_ATTRIBUTE_VALUE = 'true';

/**
 * A row of the variant table as plain JSON (maps as objects). The imports build rows in SQL (`local/vcf-sql.ts`);
 * {@link vcfRecordToRows} is the same conversion record by record, the reference the SQL is tested against.
 */
export interface VariantRow {
  importjobid: string;
  contigname: string;
  start: number;
  end: number;
  names: string[];
  referenceallele: string;
  alternatealleles: string[];
  qual: number | null;
  filters: string[];
  splitfrommultiallelic: boolean;
  attributes: Record<string, string>;
  phased: boolean | null;
  calls: number[] | null;
  genotypelikelihoods: (number | null)[] | null;
  phredlikelihoods: (number | null)[] | null;
  alleledepths: (number | null)[] | null;
  conditionalquality: number | null;
  spl: (number | null)[] | null;
  depth: number | null;
  ps: number | null;
  sampleid: string | null;
  information: Record<string, string>;
  annotations: null;
}

// FORMAT keys with their own column; every other key goes into `information` (FT and GP renamed, §1.5).
const INFORMATION_NAMES: Readonly<Record<string, string>> = { FT: 'genotype_filters', GP: 'posteriorprobabilities' };
const OWN_COLUMN_KEYS: ReadonlySet<string> = new Set(['GT', 'GL', 'PL', 'AD', 'GQ', 'SPL', 'DP', 'PS']);

// An Integer value: optional sign and digits within int32, else null (also what the SQL conversion does).
function int(v: string | undefined): number | null {
  if (v === undefined || !/^[-+]?\d+$/.test(v)) {
    return null;
  }
  const n = Number(v);
  return Math.abs(n) <= 2147483647 ? n : null;
}

function ints(v: string | undefined): (number | null)[] | null {
  return v === undefined || v === '.' || v === '' ? null : v.split(',').map(int);
}

function doubles(v: string | undefined): (number | null)[] | null {
  if (v === undefined || v === '.' || v === '') {
    return null;
  }
  return v.split(',').map((x) => {
    const n = Number(x);
    return x === '.' || x === '' || Number.isNaN(n) ? null : n;
  });
}

/**
 * Converts one VCF record into variant-table rows: one per sample (or one with null genotype columns when the file
 * has no samples), with 0-based half-open coordinates (`start` = POS−1; `end` = INFO END when present, else
 * start+len(REF)).
 *
 * @param record - the record
 * @param header - the file's header (sample names)
 * @param importJobId - the job id written to `importjobid`
 * @returns the rows
 */
export function vcfRecordToRows(record: VcfRecord, header: VcfHeader, importJobId: string): VariantRow[] {
  const start = record.pos - 1;
  const infoEnd = record.info.get('END');
  const endNum = typeof infoEnd === 'string' && /^\d+$/.test(infoEnd) ? Number(infoEnd) : start + record.ref.length;
  const attributes: Record<string, string> = {};
  for (const [k, v] of record.info) {
    attributes[k] = v === true ? FLAG_ATTRIBUTE_VALUE : v;
  }
  const base = {
    importjobid: importJobId,
    contigname: record.chrom,
    start,
    end: endNum,
    names: [...record.ids],
    referenceallele: record.ref,
    alternatealleles: [...record.alts],
    qual: record.qual,
    filters: [...record.filters],
    splitfrommultiallelic: false,
    attributes,
    annotations: null,
  };
  if (header.samples.length === 0) {
    return [
      {
        ...base,
        phased: null,
        calls: null,
        genotypelikelihoods: null,
        phredlikelihoods: null,
        alleledepths: null,
        conditionalquality: null,
        spl: null,
        depth: null,
        ps: null,
        sampleid: null,
        information: {},
      },
    ];
  }
  const rows: VariantRow[] = [];
  // Column positions of the FORMAT keys with their own column, found once per record.
  const fmt = record.format;
  const iGT = fmt.indexOf('GT');
  const iGL = fmt.indexOf('GL');
  const iPL = fmt.indexOf('PL');
  const iAD = fmt.indexOf('AD');
  const iGQ = fmt.indexOf('GQ');
  const iSPL = fmt.indexOf('SPL');
  const iDP = fmt.indexOf('DP');
  const iPS = fmt.indexOf('PS');
  const extra: number[] = [];
  for (let k = 0; k < fmt.length; k++) {
    if (!OWN_COLUMN_KEYS.has(fmt[k] ?? '')) {
      extra.push(k);
    }
  }
  for (let s = 0; s < header.samples.length; s++) {
    const raw = record.samples[s] ?? '';
    const values = fmt.length === 1 ? [raw] : raw.split(':');
    const gtText = iGT < 0 ? undefined : values[iGT];
    const gt = gtText === undefined ? undefined : parseGenotype(gtText);
    const information: Record<string, string> = {};
    for (const k of extra) {
      const key = fmt[k] ?? '';
      const v = values[k];
      if (v !== undefined && v !== '.') {
        information[INFORMATION_NAMES[key] ?? key] = v;
      }
    }
    rows.push({
      importjobid: base.importjobid,
      contigname: base.contigname,
      start: base.start,
      end: base.end,
      names: base.names,
      referenceallele: base.referenceallele,
      alternatealleles: base.alternatealleles,
      qual: base.qual,
      filters: base.filters,
      splitfrommultiallelic: false,
      attributes: base.attributes,
      phased: gt?.phased ?? false,
      calls: gt?.alleles ?? null,
      genotypelikelihoods: iGL < 0 ? null : doubles(values[iGL]),
      phredlikelihoods: iPL < 0 ? null : ints(values[iPL]),
      alleledepths: iAD < 0 ? null : ints(values[iAD]),
      conditionalquality: iGQ < 0 ? null : int(values[iGQ]),
      spl: iSPL < 0 ? null : ints(values[iSPL]),
      depth: iDP < 0 ? null : int(values[iDP]),
      ps: iPS < 0 ? null : int(values[iPS]),
      sampleid: header.samples[s] ?? null,
      information,
      annotations: null,
    });
  }
  return rows;
}

/**
 * The DuckDB `read_json` column spec of the variant table, e.g. `{'importjobid': 'VARCHAR', …}`.
 *
 * @returns the struct literal text
 */
export function duckdbColumnSpec(): string {
  return `{${VARIANT_COLUMNS.map((c) => `${sqlLiteral(c.name)}: ${sqlLiteral(c.duckdb)}`).join(', ')}}`;
}

/**
 * A typed, empty SELECT with the variant table's columns (used for the view of a store with no data yet).
 *
 * @returns the SELECT text
 */
export function emptyVariantSelect(): string {
  return `SELECT ${VARIANT_COLUMNS.map((c) => `CAST(NULL AS ${c.duckdb}) AS ${sqlIdentifier(c.name)}`).join(', ')} WHERE false`;
}
