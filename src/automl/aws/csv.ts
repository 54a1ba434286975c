/**
 * The CSV layout SageMaker's built-in AutoGluon-Tabular reads (docs/aws-semantics.md §5): text/csv, the target in the
 * first column, no header. Inference CSV is the same without the label column.
 */
import { HealthDataError } from '../../errors';
import { columnNames, readColumn, rowCount } from '../table';
import type { TabularData } from '../types';

function cell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
    return '';
  }
  let s: string;
  if (typeof v === 'string') {
    s = v;
  } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    s = String(v);
  } else if (v instanceof Date) {
    s = v.toISOString();
  } else {
    s = JSON.stringify(v);
  }
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes a table as label-first, headerless CSV.
 *
 * @param data - rows or columns
 * @param label - label column (first), or undefined for inference CSV
 * @param features - feature columns in order (default: every other column); keep the same order for inference
 * @returns the CSV text (newline-terminated rows)
 * @throws {@link HealthDataError} (invalid-input) when a row has no label
 */
export function toLabelFirstCsv(data: TabularData, label: string | undefined, features?: readonly string[]): string {
  const cols = features ?? columnNames(data).filter((c) => c !== label);
  const n = rowCount(data);
  const values = cols.map((c) => readColumn(data, c, 'toLabelFirstCsv'));
  const labels = label === undefined ? undefined : readColumn(data, label, 'toLabelFirstCsv');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    if (labels !== undefined) {
      const v = labels[i];
      if (v === null || v === undefined || v === '') {
        throw new HealthDataError('invalid-input', `toLabelFirstCsv: row ${i} has no value for label ${String(label)}; drop unlabelled rows before training`, {
          path: `${String(label)}[${i}]`,
        });
      }
      parts.push(cell(v));
    }
    for (const col of values) {
      parts.push(cell(col[i]));
    }
    lines.push(parts.join(','));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
