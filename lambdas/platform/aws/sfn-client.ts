import { SFNClient } from '@aws-sdk/client-sfn';

/** One client per process; the endpoint comes from AWS_ENDPOINT_URL_SFN when set (local mode). */
export const stepFunctions = new SFNClient({});
