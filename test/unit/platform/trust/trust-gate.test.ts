import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMinor, money } from '#platform/core/money.ts';
import { type GateCheck, gate } from '#platform/trust/core/gate.ts';
import { demotionAfter, evaluatePromotion, trustScore } from '#platform/trust/core/score.ts';
import type { AgentStanding, Outcome, Tier } from '#platform/trust/core/standing.ts';

const USD = (amount: string) => money(amount, 'USD');
const agent = (tier: Tier, overrides: Partial<AgentStanding> = {}): AgentStanding => ({
  agentId: 'invoice-review-agent',
  displayName: 'Invoice review agent',
  tier,
  score: 800,
  suspended: false,
  lastEvidenceAt: null,
  pacts: [
    {
      action: 'invoice.approve',
      perActionLimit: USD('10000.00'),
      dailyLimit: USD('250000.00'),
      currency: 'USD',
      requiredEvidence: ['extraction', 'match'],
      accuracyCommitment: { maxOverrideRateBp: 500 },
    },
  ],
  ...overrides,
});
const policy = { controllerThreshold: USD('50000.00') };
const decide = (amount: string, checks: GateCheck[] = [], tier: Tier = 'bounded', usage = '0.00') =>
  gate({
    agent: agent(tier),
    action: 'invoice.approve',
    amount: USD(amount),
    checks,
    policy,
    usageToday: USD(usage),
  });

describe('gate: the AP sample expectations', () => {
  it.each([
    ['470.47', [], 'ALLOW', [], null],
    ['38367.00', [], 'REQUIRE_APPROVAL', ['OVER_AUTHORITY'], 'ap_clerk'],
    ['98495.40', [], 'REQUIRE_APPROVAL', ['CONTROLLER_THRESHOLD', 'OVER_AUTHORITY'], 'controller'],
    [
      '7337.19',
      [{ code: 'PRICE_VARIANCE', passed: false, effect: 'approval' }],
      'REQUIRE_APPROVAL',
      ['PRICE_VARIANCE'],
      'ap_clerk',
    ],
    [
      '6376.60',
      [{ code: 'BANK_DETAILS_MISMATCH', passed: false, effect: 'controller' }],
      'REQUIRE_APPROVAL',
      ['BANK_DETAILS_MISMATCH'],
      'controller',
    ],
    [
      '3339.40',
      [{ code: 'DUPLICATE_INVOICE', passed: false, effect: 'reject' }],
      'DENY',
      ['DUPLICATE_INVOICE'],
      null,
    ],
    [
      '19491.45',
      [{ code: 'PRICE_VARIANCE', passed: false, effect: 'approval' }],
      'REQUIRE_APPROVAL',
      ['OVER_AUTHORITY', 'PRICE_VARIANCE'],
      'ap_clerk',
    ],
    ['10000.00', [{ code: 'PRICE_VARIANCE', passed: true, effect: 'approval' }], 'ALLOW', [], null],
  ] as const)('%s with %j → %s %j %s', (amount, checks, outcome, codes, role) => {
    // Act
    const decision = decide(amount, [...checks]);
    // Assess
    expect(decision.outcome).toBe(outcome);
    expect(decision.reasonCodes).toEqual(codes);
    expect(decision.requiredRole).toBe(role);
    expect(decision.reasons.map((r) => r.code)).toEqual(codes);
  });
});

describe('gate: authority', () => {
  it('never allows a shadow or supervised agent, and names why', () => {
    expect(decide('1.00', [], 'supervised')).toMatchObject({
      outcome: 'REQUIRE_APPROVAL',
      requiredRole: 'ap_clerk',
      reasonCodes: ['AGENT_SUPERVISED'],
    });
    expect(decide('1.00', [], 'shadow')).toMatchObject({
      outcome: 'REQUIRE_APPROVAL',
      reasonCodes: ['AGENT_SHADOW'],
    });
  });

  it('denies an action the agent has no pact for', () => {
    const decision = gate({
      agent: agent('extended'),
      action: 'payment.hold',
      amount: USD('1.00'),
      checks: [],
      policy,
      usageToday: USD('0'),
    });
    expect(decision).toMatchObject({
      outcome: 'DENY',
      requiredRole: null,
      reasonCodes: ['NO_PACT_FOR_ACTION'],
    });
  });

  it('asks for approval past the daily limit, and lets extended tier approve twice the pact limit', () => {
    expect(decide('100.00', [], 'bounded', '249950.00').reasonCodes).toEqual(['DAILY_LIMIT_EXCEEDED']);
    expect(decide('20000.00', [], 'extended').outcome).toBe('ALLOW');
    expect(decide('20000.01', [], 'extended').reasonCodes).toEqual(['OVER_AUTHORITY']);
  });

  it('holds for every input: ALLOW only with no reasons; DENY only with a failed reject check or no pact; role matches outcome', () => {
    const check = fc.record({
      code: fc.constantFrom('A', 'B', 'C', 'D'),
      passed: fc.boolean(),
      effect: fc.constantFrom('approval', 'controller', 'reject') as fc.Arbitrary<GateCheck['effect']>,
    });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.array(check, { maxLength: 5 }),
        fc.constantFrom<Tier>('shadow', 'supervised', 'bounded', 'extended'),
        fc.bigInt({ min: 0n, max: 30_000_000n }),
        fc.boolean(),
        (minor, checks, tier, used, suspended) => {
          const decision = gate({
            agent: agent(tier, { suspended }),
            action: 'invoice.approve',
            amount: fromMinor(minor, 'USD'),
            checks,
            policy,
            usageToday: fromMinor(used, 'USD'),
          });
          const rejected = checks.some((c) => !c.passed && c.effect === 'reject');
          expect(decision.outcome === 'DENY').toBe(rejected);
          expect(decision.outcome === 'ALLOW').toBe(decision.reasonCodes.length === 0);
          if (decision.outcome === 'ALLOW') expect(tier === 'bounded' || tier === 'extended').toBe(true);
          expect(decision.requiredRole === null).toBe(decision.outcome !== 'REQUIRE_APPROVAL');
          expect([...decision.reasonCodes].sort()).toEqual(decision.reasonCodes);
          if (minor > 5_000_000n && !rejected) expect(decision.requiredRole).toBe('controller');
        },
      ),
    );
  });
});

describe('trust score', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  const outcomes = (n: number, kind: Outcome['kind'], daysAgo = 0): Outcome[] =>
    Array.from({ length: n }, (_, i) => ({
      decisionId: `${kind}-${daysAgo}-${i}`,
      kind,
      at: new Date(now.getTime() - daysAgo * 86_400_000).toISOString(),
    }));

  it('bounds small samples: ten confirmations score far less than a thousand', () => {
    expect(trustScore([], now)).toBe(0);
    expect(trustScore(outcomes(10, 'confirmed'), now)).toBe(722);
    expect(trustScore(outcomes(1000, 'confirmed'), now)).toBe(996);
  });

  it('weighs recent outcomes more: an old override hurts less than a fresh one', () => {
    const good = outcomes(50, 'confirmed');
    expect(trustScore([...good, ...outcomes(5, 'overridden', 90)], now)).toBeGreaterThan(
      trustScore([...good, ...outcomes(5, 'overridden', 0)], now),
    );
  });

  it('promotes only with score, fresh evidence and a sign-off', () => {
    const history = outcomes(60, 'confirmed');
    const signOff = { by: 'casey.controller', role: 'controller', at: now.toISOString() };
    expect(
      evaluatePromotion({ tier: 'supervised', suspended: false, outcomes: history, signOff, now }),
    ).toEqual({ promote: true, to: 'bounded', reasons: [] });
    expect(
      evaluatePromotion({ tier: 'supervised', suspended: false, outcomes: history, signOff: undefined, now })
        .reasons,
    ).toEqual(['SIGN_OFF_REQUIRED']);
    expect(
      evaluatePromotion({
        tier: 'supervised',
        suspended: false,
        outcomes: outcomes(60, 'confirmed', 60),
        signOff,
        now,
      }).reasons,
    ).toContain('NOT_ENOUGH_FRESH_EVIDENCE');
  });

  it('demotes at once on an incident, and one tier when overrides pass the pact', () => {
    const latest: Outcome = { decisionId: 'x', kind: 'incident', at: now.toISOString() };
    expect(
      demotionAfter({ tier: 'extended', latest, outcomes: [latest], maxOverrideRateBp: 500, now }),
    ).toEqual({ to: 'shadow', reason: 'INCIDENT' });
    const history = [...outcomes(18, 'confirmed'), ...outcomes(2, 'overridden')];
    expect(
      demotionAfter({
        tier: 'bounded',
        latest: history[19]!,
        outcomes: history,
        maxOverrideRateBp: 500,
        now,
      }),
    ).toEqual({ to: 'supervised', reason: 'OVERRIDE_RATE_ABOVE_PACT' });
    expect(
      demotionAfter({
        tier: 'bounded',
        latest: history[19]!,
        outcomes: history,
        maxOverrideRateBp: 1000,
        now,
      }),
    ).toBeUndefined();
  });
});
