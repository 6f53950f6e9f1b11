import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import type { AgentStanding } from '#platform/trust/core/standing.ts';
import { trustPacket } from '#platform/trust/core/trust-packet.ts';
import { trustPacketHtml } from '#platform/trust/core/trust-packet-html.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const standing: AgentStanding = {
  agentId: 'a-1',
  displayName: 'Agent <b>one</b>',
  tier: 'bounded',
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
};

const packet = trustPacket({
  standing,
  outcomes: [
    {
      decisionId: 'ap-1',
      kind: 'overridden',
      at: '2026-11-30T12:00:00.000Z',
      reason: '<script>alert("paid")</script> & "wrong" vendor',
      evidence: { executionId: 'run-1', eventKey: 'Trust/outcome/ap-1' },
    },
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
  ],
  promotions: [],
  exposure: { agentId: 'a-1', open: [money('30.03', 'USD')], openHolds: 1 },
  now: NOW,
});

describe('the trust packet as an HTML page', () => {
  it('carries the same sections, figures and evidence pointers as the Markdown page', () => {
    // Act
    const html = trustPacketHtml(packet);

    // Assess
    for (const section of [
      'Standing',
      'Pacts',
      'Score over time',
      'Outcomes by kind',
      'Tier history',
      'Promotions',
      'Outcomes',
    ])
      expect(html).toContain(`<h2>${section}</h2>`);
    expect(html).toContain('<code>run-1 › Trust/outcome/ap-1</code>');
    expect(html).toContain('<code>agent-a-1 › Trust/promotion/p-1/signed_off</code>');
    expect(html).toContain('dana (controller)');
    expect(html).toContain('100.00 USD');
    expect(html).toContain('30.03 USD');
  });

  it('escapes every value people typed, so a reason or a name never becomes markup or script', () => {
    // Act
    const html = trustPacketHtml(packet);

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>one</b>');
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;paid&quot;)&lt;/script&gt; &amp; &quot;wrong&quot; vendor',
    );
    expect(html).toContain('Agent &lt;b&gt;one&lt;/b&gt;');
    expect(html).toContain("default-src 'none'");
  });
});
