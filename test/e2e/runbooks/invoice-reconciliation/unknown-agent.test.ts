import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { erp, structuredInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The agent the policy binds to the runbook must be registered and hold a pact for
// invoice.approve before a run starts: otherwise 400 UNKNOWN_AGENT and nothing is started.
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

const po = erp.purchaseOrders[0];
const submit = (key: string) =>
  harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user: 'avery.clerk',
    body: {
      invoice: {
        structured: structuredInvoice(po?.poNumber ?? '', `UA-${key}`, [
          { lineNo: 1, sku: po?.lines[0]?.sku ?? '', quantity: '1' },
        ]),
      },
    },
    headers: { 'Idempotency-Key': key },
  });

describe('an invoice for an agent the trust store does not know', () => {
  it('is refused with 400 UNKNOWN_AGENT before the run starts', async () => {
    // Act
    const response = await submit('unknown-agent-0001');

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'UNKNOWN_AGENT', agentId: 'invoice-review-agent' });
    expect(response.body.error.message).toMatch(/not registered/);
    const runs = await harness.api('GET', '/executions', { user: 'finley.auditor' });
    expect(runs.body.executions).toEqual([]);
  });

  it('is refused with 400 UNKNOWN_AGENT while the agent has no pact for invoice.approve', async () => {
    // Prepare
    await new DynamoDbTrustStore().registerAgent({
      agentId: 'invoice-review-agent',
      displayName: 'Invoice review agent, no invoice pact yet',
      pacts: [{ action: 'payment.hold', perActionLimit: '100.00', dailyLimit: '1000.00', currency: 'USD' }],
    });

    // Act
    const response = await submit('unknown-agent-0002');

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'UNKNOWN_AGENT',
      agentId: 'invoice-review-agent',
      action: 'invoice.approve',
    });
    expect(response.body.error.message).toMatch(/no pact for invoice\.approve/);
    const runs = await harness.api('GET', '/executions', { user: 'finley.auditor' });
    expect(runs.body.executions).toEqual([]);
  });
});
