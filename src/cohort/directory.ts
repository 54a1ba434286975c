/**
 * The shared organizations and practitioners (Coherent's `organizations.json` / `practitioners.json`, loaded first).
 * Patient bundles refer to them with Synthea's conditional references
 * (`Organization?identifier=https://github.com/synthetichealth/synthea|<id>`, `Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|<npi>`).
 */
import { FAMILY, FEMALE_GIVEN, MALE_GIVEN, TOWNS } from './names';
import { Rng } from './rng';
import type { FhirJson } from './fhir-json';

/** One organization. */
export interface DirectoryOrganization {
  /** Resource id (also its Synthea identifier). */
  readonly id: string;
  /** Name. */
  readonly name: string;
  /** Town index. */
  readonly town: number;
}

/** One practitioner. */
export interface DirectoryPractitioner {
  /** Resource id. */
  readonly id: string;
  /** NPI (identifier value). */
  readonly npi: string;
  /** "Dr. Given Family". */
  readonly display: string;
  /** Given name. */
  readonly given: string;
  /** Family name. */
  readonly family: string;
  /** Sex. */
  readonly gender: 'male' | 'female';
  /** Organization index. */
  readonly organization: number;
}

/** The cohort's shared directory. */
export interface CohortDirectory {
  /** Organizations, one per town. */
  readonly organizations: readonly DirectoryOrganization[];
  /** Practitioners, two per organization. */
  readonly practitioners: readonly DirectoryPractitioner[];
}

/**
 * Makes the directory for a seed.
 *
 * @param seed - cohort seed
 * @returns organizations and practitioners
 */
export function makeDirectory(seed: number): CohortDirectory {
  const r = new Rng(seed, 'directory');
  const organizations = TOWNS.map(([town], i) => ({ id: r.uuid(), name: `${town.toUpperCase()} HEALTH CENTER`, town: i }));
  const practitioners: DirectoryPractitioner[] = [];
  organizations.forEach((_, oi) => {
    for (let k = 0; k < 2; k++) {
      const female = r.chance(0.5);
      const given = `${r.pick(female ? FEMALE_GIVEN : MALE_GIVEN)}${String(r.int(1, 999))}`;
      const family = `${r.pick(FAMILY)}${String(r.int(1, 999))}`;
      practitioners.push({ id: r.uuid(), npi: String(9999900000 + oi * 10 + k), display: `Dr. ${given} ${family}`, given, family, gender: female ? 'female' : 'male', organization: oi });
    }
  });
  return { organizations, practitioners };
}

/**
 * The `organizations.json` and `practitioners.json` batch bundles.
 *
 * @param dir - the directory
 * @returns the two bundles
 */
export function directoryBundles(dir: CohortDirectory): { organizations: FhirJson; practitioners: FhirJson } {
  const orgEntries = dir.organizations.map((o) => {
    const [city, , , zip] = TOWNS[o.town] ?? ['Boston', 0, 0, '02108'];
    return {
      fullUrl: `urn:uuid:${o.id}`,
      resource: {
        resourceType: 'Organization',
        id: o.id,
        identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: o.id }],
        active: true,
        type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }], text: 'Healthcare Provider' }],
        name: o.name,
        address: [{ line: ['1 MAIN STREET'], city: city.toUpperCase(), state: 'MA', postalCode: zip, country: 'US' }],
      },
      request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=https://github.com/synthetichealth/synthea|${o.id}` },
    };
  });
  const prEntries = dir.practitioners.map((p) => ({
    fullUrl: `urn:uuid:${p.id}`,
    resource: {
      resourceType: 'Practitioner',
      id: p.id,
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: p.npi }],
      active: true,
      name: [{ family: p.family, given: [p.given], prefix: ['Dr.'] }],
      gender: p.gender,
    },
    request: { method: 'POST', url: 'Practitioner', ifNoneExist: `identifier=http://hl7.org/fhir/sid/us-npi|${p.npi}` },
  }));
  return {
    organizations: { resourceType: 'Bundle', type: 'batch', entry: orgEntries },
    practitioners: { resourceType: 'Bundle', type: 'batch', entry: prEntries },
  };
}
