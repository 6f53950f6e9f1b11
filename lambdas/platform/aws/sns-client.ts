import { SNSClient } from '@aws-sdk/client-sns';

/** One client per process; the endpoint comes from AWS_ENDPOINT_URL_SNS when set. */
export const sns = new SNSClient({});
