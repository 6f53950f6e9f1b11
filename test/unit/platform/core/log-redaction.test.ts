import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendCorrelationIds, logger } from '#platform/aws/logger.ts';
import { maskAccountNumber, redactLogValue } from '#platform/core/log-redaction.ts';

const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAAe${'x7Y+k2Lq/9Zp'.repeat(12)}==`;
const ACCOUNT = '004512345678';

/** The JSON lines the one logger prints while `act` runs. */
function printedLines(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => {
    lines.push(String(args[0]));
  };
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation(capture),
  );
  logger.setLogLevel('INFO');
  try {
    act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the logger', () => {
  afterEach(() => {
    logger.resetKeys();
  });

  it('redacts a task token and masks a full bank account number on a log line', () => {
    // Act
    const [line] = printedLines(() => {
      logger.info(`approval waiting with token ${TASK_TOKEN} for account ${ACCOUNT}`, {
        taskToken: TASK_TOKEN,
        payee: { accountNumber: ACCOUNT, name: 'Acme Supplies' },
      });
    });

    // Assess
    const printed = JSON.stringify(line);
    expect(printed).not.toContain(TASK_TOKEN);
    expect(printed).not.toContain(ACCOUNT);
    expect(line?.taskToken).toBe('[REDACTED]');
    expect(line?.payee).toEqual({ accountNumber: '********5678', name: 'Acme Supplies' });
    expect(line?.message).toBe('approval waiting with token [REDACTED] for account ********5678');
  });

  it('redacts authorization headers and bearer tokens wherever they appear', () => {
    // Act
    const [line] = printedLines(() => {
      logger.info('request received', {
        headers: { Authorization: 'Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', 'Idempotency-Key': 'k-1' },
        note: 'forwarded Bearer abc.def.ghi',
      });
    });

    // Assess
    expect(line?.headers).toEqual({ Authorization: '[REDACTED]', 'Idempotency-Key': 'k-1' });
    expect(line?.note).toBe('forwarded Bearer [REDACTED]');
  });

  it('keeps correlation ids, amounts and dates intact', () => {
    // Act
    const [line] = printedLines(() => {
      appendCorrelationIds({
        executionId: 'exec-12345678-0000',
        runbookVersion: 'a'.repeat(64),
        requestId: '12345678-1234-1234-1234-123456789012',
      });
      logger.info('hold placed', {
        amount: '12345678.90',
        date: '2026-11-22',
        invoiceNumber: 'INV-20261122',
      });
    });

    // Assess
    expect(line).toMatchObject({
      executionId: 'exec-12345678-0000',
      runbookVersion: 'a'.repeat(64),
      requestId: '12345678-1234-1234-1234-123456789012',
      amount: '12345678.90',
      date: '2026-11-22',
      invoiceNumber: 'INV-20261122',
    });
  });
});

describe('redactLogValue', () => {
  it('masks IBANs in text and account numbers under account keys', () => {
    // Act
    const redacted = redactLogValue({
      remark: 'pay to GB29 NWBK 6016 1331 9268 19 today',
      iban: 'DE89370400440532013000',
    });

    // Assess
    expect(redacted).toEqual({ remark: 'pay to ************6819 today', iban: '************3000' });
  });

  it('never shows more than the last four digits', () => {
    // Act
    const masked = ['12345678', '1234', '9876543210987654'].map(maskAccountNumber);

    // Assess
    expect(masked).toEqual(['****5678', '****', '************7654']);
  });
});
