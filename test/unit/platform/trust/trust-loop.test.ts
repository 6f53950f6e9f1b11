import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { outcomeOfDecision } from '#platform/trust/core/outcomes.ts';
import { promotionRuleCheck, trustFigures, validateProposal } from '#platform/trust/core/promotions.ts';
import type { AgentStanding, Outcome, Tier } from '#platform/trust/core/standing.ts';
import { trustPacket, trustPacketMarkdown } from '#platform/trust/core/trust-packet.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const agent = (tier: Tier): AgentStanding => ({
  agentId: 'a-1',
  displayName: 'Agent one',
  tier,
  score: 0,
  suspended: false,
  lastEvidenceAt: null,
  pacts: [
    {
      action: 'invoice.approve',
      perActionLimit: money('100.00', 'USD'),
      dailyLimit: money('1000.00', 'USD'),
      currency: 'USD',
      requiredEvidence: [],
      accuracyCommitment: { maxOverrideRateBp: 500 },
    },
  ],
});
const outcome = (decisionId: string, kind: Outcome['kind'], extra: Partial<Outcome> = {}): Outcome => ({
  decisionId,
  kind,
  at: '2026-11-30T12:00:00.000Z',
  ...extra,
});

describe('outcomeOfDecision: a person deciding an agent proposal', () => {
  it.each([
    ['APPROVE', undefined, 'confirmed', undefined],
    ['REJECT', undefined, 'overridden', undefined],
    ['APPROVE', 'AUTO_APPROVED', 'confirmed', true],
    ['REJECT', 'AUTO_APPROVED', 'overridden', false],
    ['APPROVE', 'REJECTED', 'overridden', false],
    ['REJECT', 'REJECTED', 'confirmed', true],
    ['APPROVE', 'PENDING_APPROVAL', 'confirmed', null],
    ['REJECT', 'PENDING_APPROVAL', 'overridden', null],
  ] as const)('%s with shadow %s is %s (agreed %s)', (decision, agentWouldHave, kind, agreed) => {
    // Act
    const result = outcomeOfDecision({
      approvalId: 'x-1',
      runbook: 'invoice-reconciliation',
      decision,
      comment: 'price does not match',
      ...(agentWouldHave ? { agentWouldHave } : {}),
    });

    // Assess
    expect(result.kind).toBe(kind);
    expect(result.action).toBe('invoice.approve');
    expect(result.shadow?.agreed).toBe(agreed);
    expect(result.reason).toBe(kind === 'overridden' ? 'price does not match' : undefined);
  });

  it('takes the action from the approval, else from the runbook', () => {
    // Act
    const named = outcomeOfDecision({
      approvalId: 'x',
      runbook: 'payment-run',
      action: 'payment.post',
      decision: 'APPROVE',
      comment: 'ok',
    });
    const mapped = outcomeOfDecision({
      approvalId: 'x',
      runbook: 'payment-run',
      decision: 'APPROVE',
      comment: 'ok',
    });

    // Assess
    expect(named.action).toBe('payment.post');
    expect(mapped.action).toBe('payment.release');
  });
});

describe('promotions', () => {
  it('attaches figures: rates only over the minimum sample, shadow agreement, incidents', () => {
    // Prepare
    const outcomes = [
      ...Array.from({ length: 9 }, (_, i) =>
        outcome(`c${i}`, 'confirmed', {
          shadow: { agentWouldHave: 'AUTO_APPROVED', personDecided: 'APPROVED', agreed: true },
        }),
      ),
      outcome('o1', 'overridden', {
        shadow: { agentWouldHave: 'AUTO_APPROVED', personDecided: 'REJECTED', agreed: false },
      }),
      outcome('i1', 'incident'),
    ];

    // Act
    const figures = trustFigures(outcomes, NOW);

    // Assess
    expect(figures).toMatchObject({
      freshOutcomes: 11,
      outcomesByKind: { confirmed: 9, overridden: 1, disputed: 0, incident: 1 },
      overrideRateBp: 909,
      openIncidents: 1,
      shadowAgreement: { compared: 10, agreed: 9, rateBp: 9000 },
    });
    expect(trustFigures(outcomes.slice(0, 5), NOW).overrideRateBp).toBeNull();
    expect(promotionRuleCheck(agent('shadow'), 'bounded', figures).shortfalls).toEqual([
      'SCORE_TOO_LOW',
      'NOT_ENOUGH_FRESH_EVIDENCE',
      'OPEN_INCIDENTS',
    ]);
  });

  it.each([
    [{}, /propose a tier, new pact limits, or both/],
    [{ tier: 'shadow' }, /already at shadow/],
    [
      { pacts: [{ action: 'payment.post', perActionLimit: '1.00', dailyLimit: '2.00' }] },
      /no pact for payment\.post/,
    ],
    [
      { pacts: [{ action: 'invoice.approve', perActionLimit: '900.00', dailyLimit: '100.00' }] },
      /above the daily limit/,
    ],
    [
      { pacts: [{ action: 'invoice.approve', perActionLimit: '1.001', dailyLimit: '100.00' }] },
      /decimal amounts in USD/,
    ],
  ] as const)('refuses the proposal %j', (change, message) => {
    // Act + Assess
    expect(() => validateProposal(agent('shadow'), change)).toThrow(message);
  });
});

describe('trust packet', () => {
  it('points every outcome and tier change at its evidence and reads as Markdown', () => {
    // Act
    const packet = trustPacket({
      standing: agent('shadow'),
      outcomes: [
        outcome('ap-1', 'confirmed', { evidence: { executionId: 'run-1', eventKey: 'Trust/outcome/ap-1' } }),
        outcome('incident-run-1', 'incident', {
          reason: 'paid twice | once too many',
          evidence: { executionId: 'agent-a-1', eventKey: 'Trust/incident/run-1' },
        }),
      ],
      tierHistory: [
        {
          from: 'shadow',
          to: 'bounded',
          automatic: false,
          promotionId: 'p-1',
          proposedBy: 'casey',
          signOff: { by: 'dana', role: 'controller', at: '2026-11-30T13:00:00.000Z' },
        },
        { from: 'bounded', to: 'shadow', automatic: true, reason: 'INCIDENT', decisionId: 'incident-run-1' },
      ],
      promotions: [],
      exposure: { agentId: 'a-1', open: [money('30.03', 'USD')], openHolds: 1 },
      now: NOW,
    });
    const markdown = trustPacketMarkdown(packet);

    // Assess
    expect(packet.tierHistory.map((t) => t.evidence?.eventKey)).toEqual([
      'Trust/promotion/p-1/signed_off',
      'Trust/demotion/incident-run-1',
    ]);
    expect(packet.openEscrow).toEqual({ holds: 1, amounts: [{ amount: '30.03', currency: 'USD' }] });
    expect(markdown).toContain('| shadow | bounded | signed-off promotion |');
    expect(markdown).toContain('dana (controller)');
    expect(markdown).toContain('paid twice \\| once too many');
  });
});
