/**
 * An in-memory AWS Glue Data Catalog behind aws-sdk-client-mock, written from the Glue API Reference:
 * - GetDatabase / GetTable on a missing name throw `EntityNotFoundException` (API Reference, GetDatabase, GetTable).
 * - CreateDatabase / CreateTable on an existing name throw `AlreadyExistsException`; CreateTable in a database that
 *   does not exist throws `EntityNotFoundException` (API Reference, CreateTable "Errors").
 * - GetTables pages with NextToken (API Reference, GetTables); DeleteTable / DeleteDatabase remove entries.
 */
import { CreateDatabaseCommand, CreateTableCommand, DeleteDatabaseCommand, DeleteTableCommand, GetDatabaseCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import type { TableInput } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsStub } from 'aws-sdk-client-mock';
import { suiteMock } from '../suite-mock';
import type { ServiceInputTypes, ServiceOutputTypes, GlueClientResolvedConfig } from '@aws-sdk/client-glue';

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** The fake catalog: database → table name → table input. */
export interface FakeGlue {
  /** Databases and their tables. */
  readonly databases: Map<string, Map<string, TableInput>>;
  /** The underlying mock (for command assertions). */
  readonly mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, GlueClientResolvedConfig>;
}

/**
 * Installs the fake on every GlueClient, owned by the enclosing suite (call inside a `describe`).
 *
 * @param pageSize - tables per GetTables page
 * @returns the fake
 */
export function fakeGlue(pageSize = 100): FakeGlue {
  const databases = new Map<string, Map<string, TableInput>>();
  const mock = suiteMock(() => configure(mockClient(GlueClient), databases, pageSize));
  return { databases, mock };
}

function configure(
  mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, GlueClientResolvedConfig>,
  databases: Map<string, Map<string, TableInput>>,
  pageSize: number,
): AwsStub<ServiceInputTypes, ServiceOutputTypes, GlueClientResolvedConfig> {
  mock.on(GetDatabaseCommand).callsFake((i: { Name?: string }) => {
    if (!databases.has(i.Name ?? '')) {
      throw awsError('EntityNotFoundException', `Database ${i.Name ?? ''} not found.`);
    }
    return { Database: { Name: i.Name } };
  });
  mock.on(CreateDatabaseCommand).callsFake((i: { DatabaseInput?: { Name?: string } }) => {
    const name = i.DatabaseInput?.Name ?? '';
    if (databases.has(name)) {
      throw awsError('AlreadyExistsException', `Database already exists.`);
    }
    databases.set(name, new Map());
    return {};
  });
  mock.on(DeleteDatabaseCommand).callsFake((i: { Name?: string }) => {
    if (!databases.delete(i.Name ?? '')) {
      throw awsError('EntityNotFoundException', `Database ${i.Name ?? ''} not found.`);
    }
    return {};
  });
  mock.on(GetTableCommand).callsFake((i: { DatabaseName?: string; Name?: string }) => {
    const db = databases.get(i.DatabaseName ?? '');
    if (db === undefined) {
      throw awsError('EntityNotFoundException', `Database ${i.DatabaseName ?? ''} not found.`);
    }
    const t = db.get(i.Name ?? '');
    if (t === undefined) {
      throw awsError('EntityNotFoundException', `Table ${i.Name ?? ''} not found.`);
    }
    return { Table: { ...t, DatabaseName: i.DatabaseName } };
  });
  mock.on(CreateTableCommand).callsFake((i: { DatabaseName?: string; TableInput?: TableInput }) => {
    const db = databases.get(i.DatabaseName ?? '');
    if (db === undefined) {
      throw awsError('EntityNotFoundException', `Database ${i.DatabaseName ?? ''} not found.`);
    }
    const name = i.TableInput?.Name ?? '';
    if (db.has(name)) {
      throw awsError('AlreadyExistsException', `Table already exists.`);
    }
    db.set(name, i.TableInput ?? { Name: name });
    return {};
  });
  mock.on(DeleteTableCommand).callsFake((i: { DatabaseName?: string; Name?: string }) => {
    if (databases.get(i.DatabaseName ?? '')?.delete(i.Name ?? '') !== true) {
      throw awsError('EntityNotFoundException', `Table ${i.Name ?? ''} not found.`);
    }
    return {};
  });
  mock.on(GetTablesCommand).callsFake((i: { DatabaseName?: string; NextToken?: string }) => {
    const db = databases.get(i.DatabaseName ?? '');
    if (db === undefined) {
      throw awsError('EntityNotFoundException', `Database ${i.DatabaseName ?? ''} not found.`);
    }
    const all = [...db.values()];
    const start = i.NextToken === undefined ? 0 : Number(i.NextToken);
    const page = all.slice(start, start + pageSize);
    return { TableList: page, ...(start + pageSize < all.length ? { NextToken: String(start + pageSize) } : {}) };
  });
  return mock;
}
