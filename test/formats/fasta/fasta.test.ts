import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFai, indexFasta, parseFai, readFastaRange } from '../../../src/formats/fasta';
import { tmpDir } from '../../helpers/tmp';

describe('FASTA + .fai', () => {
  let dir = '';
  before(() => {
    dir = tmpDir('fasta');
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('indexes like samtools faidx (offsets, line bases, line width incl. CRLF)', () => {
    const fa = path.join(dir, 'a.fa');
    fs.writeFileSync(fa, '>chr1 description here\nACGTA\nCGTAC\nGG\n>chr2\nTTTT\nTT\n');
    const fai = indexFasta(fa);
    // Worked by hand: ">chr1 description here\n" is 23 bytes, so chr1 bases start at 23; chr2's header starts at
    // 23 + 6 + 6 + 3 = 38 and is 6 bytes, so its bases start at 44.
    assert.equal(formatFai(fai), 'chr1\t12\t23\t5\t6\nchr2\t6\t44\t4\t5\n');
    assert.deepEqual(parseFai(formatFai(fai)), fai);
    const crlf = path.join(dir, 'crlf.fa');
    fs.writeFileSync(crlf, '>x\r\nACG\r\nTA\r\n');
    assert.deepEqual(indexFasta(crlf), [{ name: 'x', length: 5, offset: 4, lineBases: 3, lineWidth: 5 }]);
    const fd = fs.openSync(crlf, 'r');
    assert.equal(readFastaRange(fd, indexFasta(crlf)[0] ?? assert.fail(), 1, 5), 'CGTA');
    fs.closeSync(fd);
  });

  it('reads 0-based half-open ranges across line breaks, clipped to the sequence', () => {
    const fa = path.join(dir, 'a.fa');
    const [chr1, chr2] = indexFasta(fa);
    assert.ok(chr1 && chr2);
    const fd = fs.openSync(fa, 'r');
    assert.equal(readFastaRange(fd, chr1, 0, 12), 'ACGTACGTACGG');
    assert.equal(readFastaRange(fd, chr1, 4, 7), 'ACG');
    assert.equal(readFastaRange(fd, chr1, 10, 99), 'GG');
    assert.equal(readFastaRange(fd, chr2, 3, 6), 'TTT');
    assert.throws(() => readFastaRange(fd, chr2, 6, 8), /empty or outside chr2/);
    fs.closeSync(fd);
  });

  it('rejects ragged lines, duplicate names and non-FASTA input, naming file:line', () => {
    const ragged = path.join(dir, 'r.fa');
    fs.writeFileSync(ragged, '>a\nACG\nA\nACG\n');
    assert.throws(() => indexFasta(ragged), /r\.fa:4: sequence "a" has lines of different lengths/);
    const dup = path.join(dir, 'd.fa');
    fs.writeFileSync(dup, '>a\nA\n>a\nC\n');
    assert.throws(() => indexFasta(dup), /d\.fa:3 repeats sequence name "a"/);
    const notFa = path.join(dir, 'n.fa');
    fs.writeFileSync(notFa, 'ACGT\n');
    assert.throws(() => indexFasta(notFa), /bases before the first ">"/);
    assert.throws(() => parseFai('chr1\t10\n'), /is not NAME<tab>LENGTH/);
  });
});
