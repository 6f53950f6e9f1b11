import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';
import { DEFAULT_SAMPLES_DIR, readCases, runDemo } from '../../../../bin/commands/demo.ts';
import { runReplay } from '../../../../bin/commands/replay.ts';
import { evidenceSource } from '../../../../bin/evidence-commands.ts';
import { LOCAL_REGION } from '../../../../local/function-host.ts';
import { LOCAL_CREDENTIALS } from '../../../../local/local-stack.ts';
import runbookPolicy from '../../../../statemachines/policies/ap-invoice.json' with { type: 'json' };
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Policy replay on the real local stack: the AP sample set seeded, submitted and decided through
// the real runbook, then re-decided from its evidence under other policies.
let harness: Harness;
const folder = mkdtempSync(join(tmpdir(), 'tollgate-replay-'));
const today = new Date().toISOString().slice(0, 10);
const cases = readCases(DEFAULT_SAMPLES_DIR);

function policyFile(name: string, overrides: Record<string, unknown>): string {
  const file = join(folder, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...runbookPolicy, ...overrides }));
  return file;
}

async function replay(name: string, overrides: Record<string, unknown>) {
  return runReplay({
    policyFile: policyFile(name, overrides),
    from: today,
    to: today,
    dataDir: harness.dataDir,
  });
}

beforeAll(async () => {
  harness = await startHarness();
  await runDemo({ stack: harness.stack, payments: false });
}, 240_000);
afterAll(async () => {
  await harness?.stop();
});

describe('tollgate replay over the AP sample set', () => {
  it('reproduces every decision under the policy they were taken with: nothing changes', async () => {
    // Act
    const report = await replay('same', {});

    // Assess
    expect(report.runs).toBe(cases.length);
    expect(report.notReproducible).toEqual([]);
    expect(report.unchanged).toBe(cases.length);
    expect(report.changes).toEqual([]);
    expect(report.thresholdChanges).toEqual([]);
  });

  it('with a tighter price tolerance lists exactly the invoice whose price variance now fails, with its amount', async () => {
    // Act: 1% or 0.25, where the sample invoice NOP-10502 bills 27.71 against a PO price of 27.30.
    const report = await replay('tight', { priceTolerancePercent: '1.0', priceToleranceAmount: '0.25' });

    // Assess
    expect(report.notReproducible).toEqual([]);
    expect(
      report.changes.map((c) => [c.invoiceNumber, c.effect, c.replayed.decision, c.replayed.reasonCodes]),
    ).toEqual([['NOP-10502', 'now_held_for_a_person', 'PENDING_APPROVAL', ['PRICE_VARIANCE']]]);
    expect(report.changes[0]?.recorded.decision).toBe('AUTO_APPROVED');
    expect(report.amounts).toEqual({ now_held_for_a_person: { USD: '7010.63' } });
    expect(report.reasonsOnly).toEqual([]);
    expect(report.unchanged).toBe(cases.length - 1);
    expect(report.thresholdChanges).toEqual([
      { threshold: 'priceTolerancePercent', from: '2.0', to: '1.0' },
      { threshold: 'priceToleranceAmount', from: '5.00', to: '0.25' },
    ]);
    expect(report.changes[0]?.evidence.eventKey).toBe('DecideByTrustGate/decision');
  });

  it('with a looser price tolerance releases the invoice whose only exception was its price, and names the one still over authority', async () => {
    // Act: 10.00, where CNS-10516 is 9.97 off its PO and LPS-10518 7.96 (but above the agent's limit).
    const report = await replay('loose', { priceToleranceAmount: '10.00' });

    // Assess
    expect(report.changes.map((c) => [c.invoiceNumber, c.effect])).toEqual([['CNS-10516', 'now_released']]);
    expect(report.amounts).toEqual({ now_released: { USD: '7683.22' } });
    expect(report.reasonsOnly.map((c) => [c.invoiceNumber, c.replayed.reasonCodes])).toEqual([
      ['LPS-10518', ['OVER_AUTHORITY']],
    ]);
  });

  it('with a lower controller threshold sends the large invoices to a controller', async () => {
    // Act
    const report = await replay('controller', { controllerThreshold: '30000.00' });

    // Assess: PF&-10504 (38367.00) needed only a clerk; RPG-10505 (98495.40) needed a controller already.
    expect(report.changes.map((c) => [c.invoiceNumber, c.effect, c.replayed.requiredRole])).toEqual([
      ['PF&-10504', 'role_changed', 'controller'],
    ]);
  });

  it('refuses a policy file that is not an AP policy, and a period the wrong way round, before reading anything', async () => {
    // Act + Assess
    await expect(replay('bad', { priceTolerancePercent: 'two' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      runReplay({
        policyFile: policyFile('ok', {}),
        from: today,
        to: '2000-01-01',
        dataDir: harness.dataDir,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses to replay from a decision record changed after it was written, naming the record', async () => {
    // Prepare: the attacker lowers the auto-approve limit recorded on one decision, so a replay would blame the policy
    const { store } = evidenceSource({ dataDir: harness.dataDir });
    let target: { key: string; record: EvidenceRecord } | undefined;
    for (const object of await store.list('records/type=decision/')) {
      const body = (await store.get(object.key))?.body;
      const record = JSON.parse(new TextDecoder().decode(body)) as EvidenceRecord;
      if (record.business.invoiceNumber === 'NOP-10502' && record.eventKey === 'DecideByTrustGate/decision')
        target = { key: object.key, record };
    }
    if (!target) throw new Error('no decision record for NOP-10502');
    const forged = { ...target.record, details: { ...target.record.details, autoApproveLimit: '1.00' } };
    const client = new S3Client({
      endpoint: harness.stack.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: harness.stack.runtime.evidenceBucket,
        Key: target.key,
        Body: JSON.stringify(forged),
      }),
    );

    // Assess
    await expect(replay('after-tamper', {})).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(target.key),
    });
  });
});
