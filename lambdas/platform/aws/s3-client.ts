import { S3Client } from '@aws-sdk/client-s3';

/** One client per process; the endpoint comes from AWS_ENDPOINT_URL_S3 when set (local mode, path-style by its IP host). */
export const s3 = new S3Client({});
