import * as assert from 'node:assert/strict';
import { TableShapes, parseColumnType } from '../../src/dashboard/columns';
import { latestRecordsSql } from '../../src/dashboard/load';

describe('dashboard table shapes (optional FHIR elements)', () => {
  it('parses DuckDB, Athena/Trino and Hive type strings', () => {
    const duck = parseColumnType('STRUCT("text" VARCHAR, coding STRUCT(code VARCHAR, display VARCHAR)[], "value" DECIMAL(18,3), m MAP(VARCHAR, INTEGER))[]');
    assert.equal(duck.kind, 'list');
    const athena = parseColumnType('array(row(text varchar, coding array(row(code varchar, display varchar)), value decimal(18,3)))');
    const hive = parseColumnType('array<struct<text:string,coding:array<struct<code:string,display:string>>>>');
    for (const t of [duck, athena, hive]) {
      assert.ok(t.kind === 'list' && t.of.kind === 'struct');
      const coding = t.of.fields.get('coding');
      assert.ok(coding?.kind === 'list' && coding.of.kind === 'struct' && coding.of.fields.has('display'));
      assert.ok(t.of.fields.has('text'));
    }
    assert.deepEqual(parseColumnType('VARCHAR'), { kind: 'scalar' });
    assert.deepEqual(parseColumnType(''), { kind: 'scalar' });
  });

  it('answers paths with subscripts and gives a typed NULL for missing ones', () => {
    const shapes = new TableShapes([
      { table_name: 'Patient', column_name: 'id', data_type: 'VARCHAR' },
      { table_name: 'patient', column_name: 'name', data_type: 'STRUCT(family VARCHAR, given VARCHAR[])[]' },
      { table_name: 'encounter', column_name: 'type', data_type: 'array(row(coding array(row(code varchar))))' },
      { table_name: 'observation', column_name: 'valueQuantity', data_type: 'STRUCT("value" DOUBLE, unit VARCHAR)' },
    ]);
    assert.ok(shapes.has('PATIENT'));
    assert.ok(shapes.hasPath('patient', 'name[1].given[1]'));
    assert.ok(!shapes.hasPath('patient', 'name.given'), 'a struct field of a list needs its subscript');
    assert.ok(!shapes.hasPath('patient', 'address[1].line[1]'));
    assert.ok(!shapes.hasPath('patient', 'id[1]'), 'a scalar takes no subscript');
    assert.ok(!shapes.hasPath('encounter', 'type[1].text'));
    assert.ok(shapes.hasPath('encounter', 'type[1].coding[1].code'));
    assert.ok(shapes.hasPath('observation', 'valuequantity.value'));
    assert.equal(shapes.expr('patient', 'address[1].city'), 'CAST(NULL AS VARCHAR)');
    assert.equal(shapes.expr('observation', 'valuequantity.value', 'DOUBLE'), 'valuequantity.value');
    assert.equal(shapes.expr('nosuch', 'x'), 'CAST(NULL AS VARCHAR)');
    assert.ok(!shapes.hasPath('patient', 'name; DROP TABLE x'), 'only plain paths are accepted');
  });

  it("dedupes offline feature tables with the feature store's shared query; other tables are read as they are", () => {
    assert.equal(latestRecordsSql('t', new Set(['patient_id', 'x', 'write_time'])), 'SELECT * FROM t ORDER BY patient_id');
    const sql = latestRecordsSql('imaging_features_1', new Set(['patient_id', 'event_time', 'write_time', 'api_invocation_time', 'is_deleted']));
    assert.match(sql, /NOT o\.is_deleted/);
    assert.match(sql, /n\.api_invocation_time > o\.api_invocation_time/);
    assert.match(sql, / ORDER BY patient_id, event_time$/);
  });
});
