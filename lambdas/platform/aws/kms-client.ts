import { KMSClient } from '@aws-sdk/client-kms';

/** One client per process. */
export const kms = new KMSClient({});
