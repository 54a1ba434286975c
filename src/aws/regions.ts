/**
 * Where each regional service the aws backend uses is offered, from AWS's endpoint tables, so a wrong region fails
 * when the handle is first used with a message listing the right ones (instead of a DNS error deep in an import).
 *
 * Sources: "AWS HealthImaging endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/healthimaging.html);
 * "AWS HealthLake endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/Amazon-HealthLake.html; its quota table also sets concurrent StartFHIRImportJob jobs to 1).
 */
import { HealthDataError } from '../errors';

/** Regions with a HealthImaging endpoint (medical-imaging.<region>.amazonaws.com). */
export const HEALTHIMAGING_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'ap-southeast-2', 'eu-west-1', 'eu-west-2'];

/** Regions with a HealthLake endpoint (healthlake.<region>.amazonaws.com). */
export const HEALTHLAKE_REGIONS: readonly string[] = ['us-east-1', 'us-east-2', 'us-west-2', 'ap-south-1', 'ap-southeast-2', 'ca-central-1', 'eu-west-1', 'eu-west-2'];

/**
 * Throws unless the service is offered in the region.
 *
 * @param service - display name, e.g. `HealthImaging`
 * @param region - the configured region
 * @param regions - where the service exists
 * @throws {@link HealthDataError} (invalid-config) naming the setting and the regions that work
 */
export function checkServiceRegion(service: string, region: string | undefined, regions: readonly string[]): void {
  if (region === undefined || !regions.includes(region)) {
    throw new HealthDataError(
      'invalid-config',
      `${service} is not offered in ${region ?? '(no region)'}; set AWS_REGION (aws.region) to one of ${regions.join(', ')}, or keep imaging on the local backend`,
      { path: 'aws.region' },
    );
  }
}
