/**
 * SearchImageSets semantics over in-memory summaries (the local backend's search): EQUAL / BETWEEN filters on
 * the attributes HealthImaging documents, all filters ANDed, default sort updatedAt DESC.
 */
import { HealthDataError } from '../errors';
import type { ImageSetSummary, SearchCriteria, SearchFilter, SearchValue } from './types';

type Key = string | number | boolean;

function valueOf(v: SearchValue): { field: string; key: Key } {
  if ('DICOMPatientId' in v) {
    return { field: 'DICOMPatientId', key: v.DICOMPatientId };
  }
  if ('DICOMAccessionNumber' in v) {
    return { field: 'DICOMAccessionNumber', key: v.DICOMAccessionNumber };
  }
  if ('DICOMStudyId' in v) {
    return { field: 'DICOMStudyId', key: v.DICOMStudyId };
  }
  if ('DICOMStudyInstanceUID' in v) {
    return { field: 'DICOMStudyInstanceUID', key: v.DICOMStudyInstanceUID };
  }
  if ('DICOMSeriesInstanceUID' in v) {
    return { field: 'DICOMSeriesInstanceUID', key: v.DICOMSeriesInstanceUID };
  }
  if ('createdAt' in v) {
    return { field: 'createdAt', key: v.createdAt.getTime() };
  }
  if ('updatedAt' in v) {
    return { field: 'updatedAt', key: v.updatedAt.getTime() };
  }
  if ('DICOMStudyDateAndTime' in v) {
    return { field: 'DICOMStudyDateAndTime', key: `${v.DICOMStudyDateAndTime.DICOMStudyDate}${(v.DICOMStudyDateAndTime.DICOMStudyTime ?? '').padEnd(6, '0').slice(0, 6)}` };
  }
  return { field: 'isPrimary', key: v.isPrimary };
}

function fieldOf(s: ImageSetSummary, field: string): Key | undefined {
  switch (field) {
    case 'createdAt':
      return Date.parse(s.createdAt);
    case 'updatedAt':
      return Date.parse(s.updatedAt);
    case 'isPrimary':
      return s.isPrimary;
    case 'DICOMStudyDateAndTime':
      return s.DICOMTags.DICOMStudyDate === undefined ? undefined : `${s.DICOMTags.DICOMStudyDate}${(s.DICOMTags.DICOMStudyTime ?? '').split('.')[0]?.padEnd(6, '0').slice(0, 6) ?? '000000'}`;
    default:
      return (s.DICOMTags as Record<string, string | number | undefined>)[field];
  }
}

function matches(s: ImageSetSummary, f: SearchFilter): boolean {
  const vals = f.values.map(valueOf);
  const first = vals[0];
  if (first === undefined) {
    throw new HealthDataError('invalid-input', 'searchImageSets: a filter has no values; give one value for EQUAL or two for BETWEEN', { path: 'filters' });
  }
  const actual = fieldOf(s, first.field);
  if (actual === undefined) {
    return false;
  }
  if (f.operator === 'EQUAL') {
    if (vals.length !== 1) {
      throw new HealthDataError('invalid-input', `searchImageSets: EQUAL takes one value, got ${String(vals.length)}`, { path: 'filters' });
    }
    return actual === first.key;
  }
  const second = vals[1];
  if (vals.length !== 2 || second?.field !== first.field) {
    throw new HealthDataError('invalid-input', 'searchImageSets: BETWEEN takes two values (lower, upper) of the same attribute', { path: 'filters' });
  }
  return actual >= first.key && actual <= second.key;
}

/**
 * Applies search criteria.
 *
 * @param all - every image set summary
 * @param criteria - filters and sort
 * @returns the matching summaries, sorted
 * @throws {@link HealthDataError} (invalid-input) for a malformed filter
 */
export function applySearch(all: readonly ImageSetSummary[], criteria: SearchCriteria = {}): ImageSetSummary[] {
  const filters = criteria.filters ?? [];
  const out = all.filter((s) => filters.every((f) => matches(s, f)));
  const sortField = criteria.sort?.sortField ?? 'updatedAt';
  const dir = (criteria.sort?.sortOrder ?? 'DESC') === 'ASC' ? 1 : -1;
  return out.sort((a, b) => {
    const x = fieldOf(a, sortField) ?? '';
    const y = fieldOf(b, sortField) ?? '';
    return x < y ? -dir : x > y ? dir : a.imageSetId < b.imageSetId ? -1 : 1;
  });
}
