import * as assert from 'node:assert/strict';
import { DNA_HEADER_FIELDS, parseDnaCsv } from '../../../src/cohort/convert/dna';
import { ConversionReportBuilder } from '../../../src/cohort/convert/report';

const HEADER = DNA_HEADER_FIELDS.join(',');

describe('cohort/convert/dna: the DNA CSV reader (cells split by formats/csv, one line at a time)', function () {
  it('reads quoted cells (commas and doubled quotes) and reports each bad line by number while the others convert', () => {
    const lines = [
      HEADER,
      'rs429358_FS1,rs429358,19,44908684,1,T,C,APOE,"risk_factor, Alzheimer",C>T,true',
      'rs429358_FS2,rs429358,19,44908684,2,T,"C, G","APOE ""e4""",  ,T,false',
      'rs1_FS1,rs1,19,notanumber,1,T,C,APOE,,T,false',
      'rs2_FS1,rs2,19,100,1,T,C,F12, SLC34A1,,T,false',
    ];
    const report = new ConversionReportBuilder();
    const { rows, dataRows } = parseDnaCsv(`${lines.join('\r\n')}\r\n`, 'dna/p1_dna.csv', report);
    assert.equal(dataRows, 4);
    assert.deepEqual(
      rows.map((r) => [r.line, r.rsid, r.copy, r.gene, r.significance, r.allele, r.alts.join('|')]),
      [
        [2, 'rs429358', 1, 'APOE', 'risk_factor, Alzheimer', 'T', 'C'],
        [3, 'rs429358', 2, 'APOE "e4"', '', 'T', 'C|G'],
        [5, 'rs2', 1, 'F12, SLC34A1', '', 'T', 'C'],
      ],
    );
    const byLine = report.issues.map((i) => [i.line, i.code, i.severity]);
    assert.deepEqual(byLine, [
      [2, 'dna-allele-ref-mismatch', 'warning'],
      [2, 'dna-variant-flag', 'repaired'],
      [3, 'dna-whitespace', 'repaired'],
      [4, 'dna-bad-position', 'dropped'],
      [5, 'dna-gene-with-comma', 'repaired'],
    ]);
    // Counts reconcile: every data row is converted or dropped.
    assert.equal(rows.length + report.count('dropped'), dataRows);
  });

  it('takes LF, CRLF and bare-CR line ends alike (same rows, same line numbers)', () => {
    const lines = [HEADER, 'rs7_FS1,rs7,1,1000,1,A,G,GENE,,G,true', '', 'rs7_FS2,rs7,1,1000,2,A,G,GENE,,A,false'];
    const read = (eol: string): unknown => {
      const report = new ConversionReportBuilder();
      const { rows, dataRows } = parseDnaCsv(lines.join(eol), 'f.csv', report);
      return { rows, dataRows, issues: report.issues };
    };
    const lf = read('\n');
    assert.deepEqual(read('\r\n'), lf);
    assert.deepEqual(read('\r'), lf);
    assert.equal((lf as { dataRows: number }).dataRows, 2);
    assert.deepEqual(
      (lf as { rows: { line: number }[] }).rows.map((r) => r.line),
      [2, 4],
    );
  });

  it('drops every row of a file whose header is not the Coherent one, and says how many', () => {
    const report = new ConversionReportBuilder();
    const { rows, dataRows } = parseDnaCsv('A,B\n1,2\n3,4\n', 'bad.csv', report);
    assert.deepEqual([rows.length, dataRows], [0, 2]);
    const [issue] = report.issues;
    assert.ok(issue !== undefined);
    assert.equal(issue.code, 'dna-bad-header');
    assert.match(issue.reason, /2 rows not converted/);
  });
});
