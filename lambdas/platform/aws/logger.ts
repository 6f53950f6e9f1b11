import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactLogValue } from '#platform/core/log-redaction.ts';

/**
 * Powertools' record layout with the redaction list applied to every attribute, the message
 * included: authorization headers, task tokens and bank account numbers never reach the SIEM.
 */
export class RedactingLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const redacted = redactLogValue({ ...base, ...additionalLogAttributes }) as LogAttributes;
    return new LogItem({ attributes: redacted });
  }
}

/** The correlation ids every line of one unit of work carries, so the SIEM can join them. */
export interface CorrelationIds {
  readonly executionId?: string;
  readonly runbook?: string;
  readonly runbookVersion?: string;
  readonly requestId?: string;
}

/** The one logger; handlers append correlation keys (execution id, runbook version, request id). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tollgate',
  logFormatter: new RedactingLogFormatter(),
});

export function appendCorrelationIds(ids: CorrelationIds): void {
  logger.appendKeys(Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined)));
}
