import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendStoreItems, compactStoreItems, createStoreItems, ITEMS_JOURNAL, ITEMS_SNAPSHOT, readStoreItems } from '../../../src/genomics/local/store-items';
import type { StoredItem } from '../../../src/genomics/local/store-items';
import { tmpDir } from '../../helpers/tmp';

function item(source: string, jobId: string): StoredItem {
  return { source, sha256: 'ab'.repeat(32), file: `${source}.raw3.parquet`, jobId, rows: 5, records: 5, lines: 9, rejected: 0, samples: ['s'], strict: false };
}

describe('genomics: a local store’s imported items (snapshot + journal)', () => {
  it('appends each commit as one journal line, later lines winning, and folds the journal in once it outgrows the snapshot', () => {
    const dir = tmpDir('store-items');
    createStoreItems(dir);
    appendStoreItems(dir, { '/a.vcf': item('/a.vcf', 'j1'), '/b.vcf': item('/b.vcf', 'j1') });
    // The first journal line is larger than the 3-byte empty snapshot: the next append folds it in.
    assert.ok(fs.existsSync(path.join(dir, ITEMS_JOURNAL)));
    appendStoreItems(dir, { '/b.vcf': item('/b.vcf', 'j2') });
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, ITEMS_SNAPSHOT), 'utf8')) as object), ['/a.vcf', '/b.vcf']);
    assert.equal(fs.existsSync(path.join(dir, ITEMS_JOURNAL)), false);
    const snapshot = fs.readFileSync(path.join(dir, ITEMS_SNAPSHOT), 'utf8');
    appendStoreItems(dir, { '/c.vcf': item('/c.vcf', 'j3') });
    // A small commit to a larger store appends one line and leaves the snapshot alone.
    assert.equal(fs.readFileSync(path.join(dir, ITEMS_SNAPSHOT), 'utf8'), snapshot);
    assert.equal(fs.readFileSync(path.join(dir, ITEMS_JOURNAL), 'utf8').split('\n').length, 2);
    const items = readStoreItems(dir);
    assert.deepEqual(
      Object.values(items).map((i) => [i.source, i.jobId]),
      [
        ['/a.vcf', 'j1'],
        ['/b.vcf', 'j2'],
        ['/c.vcf', 'j3'],
      ],
    );
    compactStoreItems(dir);
    assert.deepEqual(readStoreItems(dir), items);
    assert.equal(fs.existsSync(path.join(dir, ITEMS_JOURNAL)), false);
  });

  it('ignores the partial line a kill leaves, and the next commit starts on a line of its own', () => {
    const dir = tmpDir('store-items-kill');
    createStoreItems(dir);
    fs.writeFileSync(path.join(dir, ITEMS_SNAPSHOT), JSON.stringify({ '/a.vcf': item('/a.vcf', 'j1'), '/b.vcf': item('/b.vcf', 'j1'), '/c.vcf': item('/c.vcf', 'j1') }));
    const line = JSON.stringify({ '/d.vcf': item('/d.vcf', 'j2') });
    fs.writeFileSync(path.join(dir, ITEMS_JOURNAL), `${line}\n${line.slice(0, 40)}`);
    assert.deepEqual(Object.keys(readStoreItems(dir)), ['/a.vcf', '/b.vcf', '/c.vcf', '/d.vcf']);
    appendStoreItems(dir, { '/e.vcf': item('/e.vcf', 'j3') });
    assert.deepEqual(Object.keys(readStoreItems(dir)), ['/a.vcf', '/b.vcf', '/c.vcf', '/d.vcf', '/e.vcf']);
  });
});
