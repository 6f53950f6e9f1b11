import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger; handlers append correlation keys (execution id, runbook version, request id). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tollgate' });
