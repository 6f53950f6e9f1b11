import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { recordDecisionOutcome } from '#platform/trust/adapters/trust-events.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { trustPacketMarkdown } from '#platform/trust/core/trust-packet.ts';
import { seed } from '../../../../bin/commands/seed.ts';
import { fetchTrustPacket } from '../../../../bin/commands/trust-packet.ts';
import { evidenceSource, runExport, runVerify } from '../../../../bin/evidence-commands.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The trust loop on the real local stack: a new agent in shadow earns outcomes through real
// approvals, is promoted only with a second person's sign-off, then acts alone within its new
// limit; an incident demotes it at once; its trust packet shows each step with its evidence.
// The runbook's policy binds it to one agent: here that agent starts over, new, in shadow.
const AGENT = 'invoice-review-agent';
const PO = 'PO-4501002';
const SKU = erp.purchaseOrders.find((p) => p.poNumber === PO)?.lines[0]?.sku ?? '';

let harness: Harness;
let invoiceNo = 0;
const trust = new DynamoDbTrustStore();

/** A small invoice on a sample PO (one unit, 30.03 USD with tax), or `quantity` units. */
function invoice(quantity = '1') {
  invoiceNo += 1;
  return {
    structured: structuredInvoice(PO, `EA-${String(invoiceNo).padStart(4, '0')}`, [
      { lineNo: 1, sku: SKU, quantity },
    ]),
  };
}

async function decide(approvalId: string, user: string, decision: 'APPROVE' | 'REJECT', comment: string) {
  return harness.api('POST', `/approvals/${approvalId}/decision`, { user, body: { decision, comment } });
}

async function finished(executionId: string) {
  return harness.waitForExecution(executionId, 'finley.auditor');
}

const state: {
  promotionId?: string;
  autoApprovedRun?: string;
  shadowRuns: string[];
} = { shadowRuns: [] };

beforeAll(async () => {
  harness = await startHarness();
  await seed({ ...erp, agents: [] });
  await trust.registerAgent({
    agentId: AGENT,
    displayName: 'Invoice review agent (new)',
    pacts: [
      { action: 'invoice.approve', perActionLimit: '100.00', dailyLimit: '1000.00', currency: 'USD' },
      { action: 'payment.hold', perActionLimit: '1000.00', dailyLimit: '10000.00', currency: 'USD' },
    ],
  });
});
afterAll(async () => {
  await harness?.stop();
});

describe('an agent earning authority', () => {
  it('in shadow, runs every step and records what it would have decided, but a person decides', async () => {
    // Act: five small invoices, each approved by a clerk who did not submit them, one rejected.
    for (let i = 0; i < 5; i++) {
      const run = await submitInvoice(harness, `shadow-${i}`, invoice(), AGENT);
      expect(run.approval?.status, JSON.stringify(run)).toBe('PENDING');
      expect(run.reasons.map((r: { code: string }) => r.code)).toContain('AGENT_SHADOW');
      state.shadowRuns.push(run.executionId);
      const decision = i === 4 ? 'REJECT' : 'APPROVE';
      const decided = await decide(run.approval.approvalId, 'blake.clerk', decision, 'checked against PO');
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      await finished(run.executionId);
    }

    // Assess
    const outcomes = await trust.outcomes(AGENT);
    expect(outcomes.map((o) => o.kind).sort()).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'overridden',
    ]);
    for (const outcome of outcomes) {
      expect(outcome.action).toBe('invoice.approve');
      expect(outcome.shadow?.agentWouldHave).toBe('AUTO_APPROVED');
    }
    const overridden = outcomes.find((o) => o.kind === 'overridden');
    expect(overridden).toMatchObject({ reason: 'checked against PO', shadow: { agreed: false } });
    expect(outcomes.filter((o) => o.shadow?.agreed === true)).toHaveLength(4);
    expect((await trust.loadAgentStanding(AGENT))?.tier).toBe('shadow');
  });

  it('records each decided approval once, however often the decision is sent', async () => {
    // Prepare
    const run = await submitInvoice(harness, 'shadow-double-click', invoice(), AGENT);
    state.shadowRuns.push(run.executionId);

    // Act
    const first = await decide(run.approval.approvalId, 'blake.clerk', 'APPROVE', 'matches the receipt');
    const again = await decide(run.approval.approvalId, 'blake.clerk', 'APPROVE', 'matches the receipt');

    // Assess
    expect([first.status, again.status]).toEqual([200, 200]);
    const outcomes = (await trust.outcomes(AGENT)).filter((o) => o.decisionId === run.approval.approvalId);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.evidence).toEqual({
      executionId: run.executionId,
      eventKey: `Trust/outcome/${run.approval.approvalId}`,
    });
    await finished(run.executionId);
  });

  it('refuses a second registration that would raise its limits outside the workflow', async () => {
    // Act
    const raised = trust.registerAgent({
      agentId: AGENT,
      displayName: 'Invoice review agent (new)',
      pacts: [
        { action: 'invoice.approve', perActionLimit: '900.00', dailyLimit: '9000.00', currency: 'USD' },
      ],
    });

    // Assess
    await expect(raised).rejects.toMatchObject({ code: 'CONFLICT' });
    const pact = (await trust.loadAgentStanding(AGENT))?.pacts[0];
    expect(pact?.perActionLimit.minor).toBe(10_000n);
  });

  it('refuses a promotion for an agent nobody registered, writing nothing', async () => {
    // Act
    const response = await harness.api('POST', '/agents/no-such-agent/promotions', {
      user: 'casey.controller',
      body: { tier: 'bounded', justification: 'promote an agent that does not exist' },
    });

    // Assess
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_AGENT' });
    expect(await trust.promotions('no-such-agent')).toEqual([]);
  });

  it('is proposed for promotion with its evidence attached', async () => {
    // Act
    const response = await harness.api('POST', `/agents/${AGENT}/promotions`, {
      user: 'casey.controller',
      body: {
        tier: 'bounded',
        pacts: [{ action: 'invoice.approve', perActionLimit: '500.00', dailyLimit: '5000.00' }],
        justification: 'Six shadow cases, agreement on five; small invoices on known POs only.',
      },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    state.promotionId = response.body.promotionId;
    expect(response.body).toMatchObject({ status: 'PENDING', fromTier: 'shadow', agentId: AGENT });
    expect(response.body.evidence).toMatchObject({
      freshOutcomes: 6,
      outcomesByKind: { confirmed: 5, overridden: 1, disputed: 0, incident: 0 },
      openIncidents: 0,
      shadowAgreement: { compared: 6, agreed: 5 },
      // The rules' verdict is attached for the signer; six outcomes are short of what bounded asks.
      rules: { met: false, shortfalls: ['SCORE_TOO_LOW', 'NOT_ENOUGH_FRESH_EVIDENCE'] },
      limits: [
        {
          action: 'invoice.approve',
          from: { perActionLimit: '100.00', dailyLimit: '1000.00' },
          to: { perActionLimit: '500.00', dailyLimit: '5000.00' },
        },
      ],
    });
    expect(response.body.evidence.score).toBeGreaterThan(0);
    expect(response.body.evidence.outcomeEvidence).toHaveLength(6);
    expect((await trust.loadAgentStanding(AGENT))?.tier).toBe('shadow');
  });

  it('is refused when its proposer signs it off, and nothing changes', async () => {
    // Act
    const response = await harness.api('POST', `/promotions/${state.promotionId}/decision`, {
      user: 'casey.controller',
      body: { decision: 'APPROVE', comment: 'looks good to me' },
    });

    // Assess
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'FORBIDDEN', reason: 'PROPOSER_MAY_NOT_SIGN_OFF' });
    expect((await trust.getPromotion(state.promotionId ?? ''))?.status).toBe('PENDING');
    const standing = await trust.loadAgentStanding(AGENT);
    expect(standing?.tier).toBe('shadow');
    expect(standing?.pacts[0]?.perActionLimit.minor).toBe(10_000n);
    expect(await trust.tierHistory(AGENT)).toEqual([]);
  });

  it('refuses an AP clerk signing a promotion off', async () => {
    // Act
    const response = await harness.api('POST', `/promotions/${state.promotionId}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'I like this agent' },
    });

    // Assess
    expect(response.status).toBe(403);
    expect((await trust.getPromotion(state.promotionId ?? ''))?.status).toBe('PENDING');
  });

  it('is refused a sign-off while its evidence is short of the rules, and nothing changes', async () => {
    // Act
    const response = await harness.api('POST', `/promotions/${state.promotionId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'Looks promising already.' },
    });

    // Assess
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'CONFLICT',
      reason: 'PROMOTION_RULES_NOT_MET',
      shortfalls: ['SCORE_TOO_LOW', 'NOT_ENOUGH_FRESH_EVIDENCE'],
    });
    expect((await trust.getPromotion(state.promotionId ?? ''))?.status).toBe('PENDING');
    expect((await trust.loadAgentStanding(AGENT))?.tier).toBe('shadow');
  });

  it('earns the rest of the evidence the rules ask for, in shadow', async () => {
    // Act: 45 more small invoices, submitted one after the other (concurrent invoices for the same
    // received goods are the quantity check's business, not this test's), decided nine at a time at once.
    for (let batch = 0; batch < 5; batch++) {
      const runs: any[] = [];
      for (let i = 0; i < 9; i++) {
        const run = await submitInvoice(harness, `shadow-more-${batch}-${i}`, invoice(), AGENT);
        expect(run.approval?.status, JSON.stringify(run)).toBe('PENDING');
        runs.push(run);
      }
      const decided = await Promise.all(
        runs.map((run) =>
          decide(run.approval.approvalId, 'blake.clerk', 'APPROVE', 'matches PO and receipt'),
        ),
      );
      expect(decided.map((d) => d.status)).toEqual(runs.map(() => 200));
      await Promise.all(runs.map((run) => finished(run.executionId)));
    }

    // Assess
    const outcomes = await trust.outcomes(AGENT);
    expect(outcomes).toHaveLength(51);
    expect(outcomes.filter((o) => o.shadow?.agreed === true)).toHaveLength(50);
    expect((await trust.loadAgentStanding(AGENT))?.tier).toBe('shadow');
  });

  it('is signed off by a different controller and applied at once', async () => {
    // Act
    const response = await harness.api('POST', `/promotions/${state.promotionId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'Agreement is good; limit stays small.' },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({
      status: 'APPLIED',
      tier: 'bounded',
      signOff: { by: 'dana.controller', role: 'controller' },
    });
    const standing = await trust.loadAgentStanding(AGENT);
    expect(standing?.tier).toBe('bounded');
    expect(standing?.pacts[0]?.perActionLimit.minor).toBe(50_000n);
    expect(standing?.pacts[0]?.dailyLimit.minor).toBe(500_000n);
    const again = await harness.api('POST', `/promotions/${state.promotionId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'Agreement is good; limit stays small.' },
    });
    expect(again.status).toBe(200);
    expect(await trust.tierHistory(AGENT)).toHaveLength(1);
  });

  it('then approves alone within its new limit, and asks a person above it', async () => {
    // Act
    const small = await submitInvoice(harness, 'bounded-small', invoice(), AGENT);
    const large = await submitInvoice(harness, 'bounded-large', invoice('20'), AGENT);

    // Assess
    const done = await finished(small.executionId);
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.decision).toBe('APPROVED');
    state.autoApprovedRun = small.executionId;
    expect(large.approval?.status).toBe('PENDING');
    expect(large.reasonCodes).toContain('OVER_AUTHORITY');
  });

  it('is demoted to shadow at once by an incident, and the next invoice waits for a person', async () => {
    // Act
    const body = {
      executionId: state.autoApprovedRun,
      reason: 'Paid a vendor whose bank details were under review.',
    };
    const reported = await harness.api('POST', `/agents/${AGENT}/incidents`, {
      user: 'casey.controller',
      body,
    });
    const retried = await harness.api('POST', `/agents/${AGENT}/incidents`, {
      user: 'casey.controller',
      body,
    });
    const byClerk = await harness.api('POST', `/agents/${AGENT}/incidents`, { user: 'avery.clerk', body });
    const next = await submitInvoice(harness, 'after-incident', invoice(), AGENT);

    // Assess
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect(reported.body).toMatchObject({ demotedTo: 'shadow', tier: 'shadow' });
    expect(retried.status).toBe(200);
    expect(byClerk.status).toBe(403);
    expect((await trust.outcomes(AGENT)).filter((o) => o.kind === 'incident')).toHaveLength(1);
    expect(next.approval?.status).toBe('PENDING');
    expect(next.reasons.map((r: { code: string }) => r.code)).toContain('AGENT_SHADOW');
    expect(next.status).toBe('RUNNING');
  });

  it('has a trust packet that shows every step, each figure with evidence that exists', async () => {
    // Act
    const packet = await fetchTrustPacket({
      dataDir: harness.dataDir,
      user: 'finley.auditor',
      agentId: AGENT,
    });
    const asClerk = await harness.api('GET', `/agents/${AGENT}/trust-packet`, { user: 'avery.clerk' });

    // Assess
    expect(asClerk.status).toBe(403);
    expect(packet.standing.tier).toBe('shadow');
    expect(packet.figures.outcomesByKind).toEqual({ confirmed: 50, overridden: 1, disputed: 0, incident: 1 });
    expect(packet.tierHistory.map((t) => [t.from, t.to, t.how])).toEqual([
      ['shadow', 'bounded', 'signed-off promotion'],
      ['bounded', 'shadow', 'automatic demotion'],
    ]);
    expect(packet.tierHistory[0]).toMatchObject({
      proposedBy: 'casey.controller',
      signedOffBy: { by: 'dana.controller', role: 'controller' },
    });
    expect(packet.tierHistory[1]?.reason).toBe('INCIDENT');
    expect(packet.scoreOverTime).toHaveLength(52);
    expect(packet.promotions).toHaveLength(1);
    expect(packet.pacts[0]).toMatchObject({
      perActionLimit: { amount: '500.00' },
      autoApproveLimit: { amount: '0.00' },
    });
    expect(packet.openEscrow.holds).toBeGreaterThanOrEqual(1);
    await harness.stack.digestNow({ final: true });
    const verified: string[] = [];
    const verifyExit = await runVerify(evidenceSource({ dataDir: harness.dataDir }), {}, (line) =>
      verified.push(line),
    );
    expect(verifyExit, verified.filter((l) => l.includes('INVALID')).join('\n')).toBe(0);
    const chain = new DynamoDbEvidenceChain();
    const pointers = [
      ...packet.outcomes.map((o) => o.evidence),
      ...packet.tierHistory.map((t) => t.evidence),
      ...packet.promotions.flatMap((p) => p.evidence),
    ];
    expect(pointers).toHaveLength(52 + 2 + 2);
    for (const pointer of pointers) {
      expect(pointer, 'every figure has a pointer').not.toBeNull();
      const found = await chain.findEvent(pointer?.executionId ?? '', pointer?.eventKey ?? '');
      expect(found, `${pointer?.executionId} › ${pointer?.eventKey}`).toBeDefined();
      expect(verified).toContain(`${found?.key}: valid`);
    }
    const markdown = trustPacketMarkdown(packet);
    expect(markdown).toContain('dana.controller (controller)');
    expect(markdown).toContain('automatic demotion');
  });

  it('shows its promotion with who signed it and its demotion in the auditor export of agent changes', async () => {
    // Prepare: the evidence is digested (the packet check above digested it)
    const today = new Date().toISOString().slice(0, 10);

    // Act
    const result = await runExport(
      evidenceSource({ dataDir: harness.dataDir }),
      'agent-changes-by-runbook-version',
      { from: today, to: today, format: 'json', outDir: `${harness.dataDir}/exports`, engine: 'duckdb' },
    );

    // Assess
    const changes = result.rows.filter((r) => r.runbook === 'trust' && r.agent_id === AGENT);
    expect(changes.map((r) => [r.change_kind, r.decision, r.approver_id, r.approver_role])).toEqual([
      ['promotion', 'PROMOTION_APPLIED', 'dana.controller', 'controller'],
      ['demotion', 'DEMOTED', null, null],
    ]);
    expect(result.rows.some((r) => r.change_kind === 'agent_action' && r.agent_id === AGENT)).toBe(true);
  });
});

describe('an agent people keep overriding', () => {
  it('drops a tier once its override rate passes its pact, with the demotion as evidence', async () => {
    // Prepare: bounded, committed to at most 5% overridden.
    const agentId = 'override-agent';
    await trust.registerAgent({
      agentId,
      displayName: 'Often overridden agent',
      tier: 'bounded',
      pacts: [
        { action: 'invoice.approve', perActionLimit: '100.00', dailyLimit: '1000.00', currency: 'USD' },
      ],
    });
    const start = Date.now() - 60_000;
    // As the decision route does: from the stored decision, so a replay sends the same time.
    const decide = (i: number, decision: 'APPROVE' | 'REJECT') =>
      recordDecisionOutcome({
        agentId,
        approvalId: `override-run-${i}-1`,
        runbook: 'invoice-reconciliation',
        runbookVersion: 'a'.repeat(64),
        executionId: `override-run-${i}`,
        decision,
        comment: decision === 'REJECT' ? 'wrong cost center' : 'fine',
        decidedBy: { username: 'blake.clerk', role: 'ap_clerk' },
        decidedAt: new Date(start + i * 1000).toISOString(),
        business: { invoiceNumber: `OV-${i}` },
      });

    // Act: nine confirmations keep it; the tenth decision, an override, is 10% of the sample.
    for (let i = 0; i < 9; i++) await decide(i, 'APPROVE');
    const before = await trust.loadAgentStanding(agentId);
    const last = await decide(9, 'REJECT');
    const replayed = await decide(9, 'REJECT');

    // Assess
    expect(before?.tier).toBe('bounded');
    expect(last?.standing.tier).toBe('supervised');
    expect(replayed?.recorded).toBe(false);
    const history = await trust.tierHistory(agentId);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      from: 'bounded',
      to: 'supervised',
      reason: 'OVERRIDE_RATE_ABOVE_PACT',
    });
    const demotion = await new DynamoDbEvidenceChain().findEvent(
      `agent-${agentId}`,
      'Trust/demotion/override-run-9-1',
    );
    expect(demotion?.record).toMatchObject({
      recordType: 'config_change',
      details: { from: 'bounded', to: 'supervised', reason: 'OVERRIDE_RATE_ABOVE_PACT' },
    });
  });
});
