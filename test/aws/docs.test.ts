import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leastPrivilegePolicy } from '../../src/aws/plan';
import { HEALTHIMAGING_REGIONS, HEALTHLAKE_REGIONS } from '../../src/aws/regions';

describe('docs/aws.md stays true to the code', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'aws.md'), 'utf8');

  it('shows exactly the policy `mmh aws plan` generates for its example', () => {
    const block = /## IAM: the identity running the pipeline[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? '';
    assert.deepEqual(
      JSON.parse(block),
      leastPrivilegePolicy({ region: 'us-east-1', s3Uri: 's3://my-bucket/mmh/', database: 'multimodal_health', roleArn: 'arn:aws:iam::123456789012:role/mmh-service-role' }),
    );
  });

  it('lists the regions the code checks', () => {
    assert.ok(doc.includes(`| HealthLake | ${HEALTHLAKE_REGIONS.join(', ')} |`));
    assert.ok(doc.includes(`| HealthImaging | ${HEALTHIMAGING_REGIONS.join(', ')} |`));
  });
});
