/**
 * The VCF data model: header definitions, records and validation issues (VCF 4.1–4.5, hts-specs VCFv4.x §1.4–1.6).
 */

/**
 * `Number=` of an INFO/FORMAT definition: a count, or `A` (one per ALT), `R` (REF+ALTs), `G` (genotypes), `.` (any);
 * VCF 4.4 adds `P` (one per allele in GT), VCF 4.5 the local-allele forms `LA`, `LR`, `LG` (counted against `LAA`).
 */
export type VcfNumber = number | 'A' | 'R' | 'G' | '.' | 'P' | 'LA' | 'LR' | 'LG';

/** `Type=` of an INFO/FORMAT definition. */
export type VcfType = 'Integer' | 'Float' | 'Flag' | 'Character' | 'String';

/** One `##INFO` or `##FORMAT` definition. */
export interface VcfFieldDefinition {
  /** Key, e.g. `DP`. */
  readonly id: string;
  /** Number of values. */
  readonly number: VcfNumber;
  /** Value type. */
  readonly type: VcfType;
  /** Description text. */
  readonly description: string;
}

/** One `##contig` line. */
export interface VcfContig {
  /** Contig name as written in CHROM. */
  readonly id: string;
  /** Length in bases, when given. */
  readonly length?: number;
}

/** The parsed meta-information and column header. */
export interface VcfHeader {
  /** `VCFv4.2` etc., from the mandatory first line. */
  readonly fileformat: string;
  /** The minor version (1–5 for VCFv4.1–4.5; 5 when the line is missing or unknown, the newest rules). */
  readonly minor: number;
  /** INFO definitions by key. */
  readonly info: ReadonlyMap<string, VcfFieldDefinition>;
  /** FORMAT definitions by key. */
  readonly format: ReadonlyMap<string, VcfFieldDefinition>;
  /** FILTER ids with their descriptions. */
  readonly filters: ReadonlyMap<string, string>;
  /** Contigs in header order. */
  readonly contigs: readonly VcfContig[];
  /** Sample names, in column order. */
  readonly samples: readonly string[];
  /** Every other `##key=value` line (e.g. `fileDate`, `reference`, `source`), first value per key. */
  readonly meta: ReadonlyMap<string, string>;
  /** The raw meta lines (without the leading `##`), in order. */
  readonly lines: readonly string[];
}

/** How bad a problem is: `error` means the record (strict: the file) is rejected. */
export type VcfIssueSeverity = 'error' | 'warning';

/** One validation finding, shaped like the house issue arrays (`{severity, code, path, message}`). */
export interface VcfIssue {
  /** Error or warning. */
  readonly severity: VcfIssueSeverity;
  /** Rule identifier, e.g. `info-number`, `column-count`, `ref-bases`. */
  readonly code: string;
  /** `file:line` or `line N`. */
  readonly path: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /** Human sentence naming the bad value and the rule. */
  readonly message: string;
}

/** A data line, parsed just enough to be useful; sample columns stay as raw text until asked for. */
export interface VcfRecord {
  /** 1-based line number in the file. */
  readonly line: number;
  /** CHROM. */
  readonly chrom: string;
  /** POS (1-based). */
  readonly pos: number;
  /** IDs (`.` → empty). */
  readonly ids: readonly string[];
  /** REF. */
  readonly ref: string;
  /** ALT alleles (`.` → empty). */
  readonly alts: readonly string[];
  /** QUAL (`.` → null). */
  readonly qual: number | null;
  /** FILTER values (`.` → empty). */
  readonly filters: readonly string[];
  /** INFO key → raw value text; flags map to `true`. */
  readonly info: ReadonlyMap<string, string | true>;
  /** FORMAT keys (empty when there is no FORMAT column). */
  readonly format: readonly string[];
  /** Raw sample columns, one per header sample. */
  readonly samples: readonly string[];
  /** The raw data line (only when read with `keepText`). */
  readonly text?: string;
}

/** A decoded GT value. */
export interface Genotype {
  /** Allele indexes: 0 = REF, k = k-th ALT, −1 = missing (`.`). */
  readonly alleles: number[];
  /** True when every allele is joined by `|` (VCF 4.4: including an explicit `|` prefix on the first allele). */
  readonly phased: boolean;
}
