/**
 * The reference tables' CSV reader: the library's own RFC-4180 reader (src/imaging/ibsi-phantom.ts), so the tests
 * and notebook 04 read the IBSI and pyradiomics tables the same way.
 */
export { parseCsvRecords as parseCsv } from '../../../src/imaging/ibsi-phantom';
