/**
 * GRCh38 primary-assembly chromosome lengths (Genome Reference Consortium, GCA_000001405.15; the values in every
 * GRCh38 `.fai`), used to write VCF `##contig` lines and to catch out-of-range positions such as Coherent's PRKCH row.
 */
export const GRCH38_LENGTHS: Readonly<Record<string, number>> = {
  '1': 248956422,
  '2': 242193529,
  '3': 198295559,
  '4': 190214555,
  '5': 181538259,
  '6': 170805979,
  '7': 159345973,
  '8': 145138636,
  '9': 138394717,
  '10': 133797422,
  '11': 135086622,
  '12': 133275309,
  '13': 114364328,
  '14': 107043718,
  '15': 101991189,
  '16': 90338345,
  '17': 83257441,
  '18': 80373285,
  '19': 58617616,
  '20': 64444167,
  '21': 46709983,
  '22': 50818468,
  X: 156040895,
  Y: 57227415,
  MT: 16569,
};

/**
 * Sort key of a contig name (1..22, X, Y, MT, then others).
 *
 * @param chrom - contig name without `chr`
 * @returns a number for ordering
 */
export function contigOrder(chrom: string): number {
  const n = Number(chrom);
  if (Number.isInteger(n) && n > 0) {
    return n;
  }
  return chrom === 'X' ? 23 : chrom === 'Y' ? 24 : chrom === 'MT' || chrom === 'M' ? 25 : 26;
}
