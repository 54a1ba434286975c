/**
 * The up-front AWS credentials check of the `aws` backend: notebooks and `mmh` call it before the first AWS request,
 * so a missing credential is one sentence saying what to set, not an SDK stack after a half-run step.
 */
import type * as CredentialProviderNode from '@aws-sdk/credential-provider-node';
import { awsCredentialsError, isMissingAwsCredentials } from './errors';

/**
 * Resolves credentials through the AWS SDK's default chain (environment, shared config and credentials files, SSO,
 * process, web identity, container and instance roles). Never prints them.
 *
 * @returns the access key id's last 4 characters, to show which identity is in use
 * @throws {@link HealthDataError} (invalid-config) with the sentence of `AWS_CREDENTIALS_HELP` when none is found
 */
export async function checkAwsCredentials(): Promise<string> {
  // Loaded on first use: the SDK's provider chain takes a moment to load and only the aws backend needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, typed by the type import above
  const { defaultProvider } = require('@aws-sdk/credential-provider-node') as typeof CredentialProviderNode;
  try {
    const c = await defaultProvider()();
    return `…${c.accessKeyId.slice(-4)}`;
  } catch (e) {
    if (isMissingAwsCredentials(e)) {
      throw awsCredentialsError(e);
    }
    throw e;
  }
}
