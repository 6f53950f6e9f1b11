import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { writeNextDigest } from '#platform/evidence/core/digests.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import type { DigestSigner, EvidenceStore } from '#platform/evidence/core/ports.ts';
import type { EvidenceInput, EvidenceReceipt } from '#platform/evidence/core/records.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { LOCAL_REGION } from '../../local/function-host.ts';
import { LOCAL_CREDENTIALS } from '../../local/local-stack.ts';
import type { Harness } from './local-stack-harness.ts';

export const RUNBOOK_VERSION_1 = 'a'.repeat(64);
export const RUNBOOK_VERSION_2 = 'b'.repeat(64);

export function s3ClientFor(harness: Harness): S3Client {
  return new S3Client({
    endpoint: harness.stack.endpoints.s3,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
}

/** A fresh bucket on the harness's s3rver, so each test tampers with its own evidence. */
export async function freshEvidence(harness: Harness, bucket = `evidence-${randomUUID().slice(0, 8)}`) {
  const client = s3ClientFor(harness);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const store = new S3EvidenceStore(bucket, { client, headBeforePut: true });
  const writer = new ChainedEvidenceWriter({
    store,
    chain: new DynamoDbEvidenceChain(),
    now: () => new Date(),
  });
  return { bucket, client, store, writer };
}

/** Writes the next digest covering everything so far, then waits until later writes fall in the next window. */
export async function digestAll(store: EvidenceStore, signer: DigestSigner) {
  const result = await writeNextDigest({ store, signer, now: () => new Date(), settleMs: -1000 });
  const wait = Date.parse(result.digest.windowEnd) - Date.now() + 20;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return result;
}

const base = (executionId: string, eventKey: string) => ({
  runbook: 'invoice-reconciliation',
  runbookVersion: RUNBOOK_VERSION_1,
  executionId,
  eventKey,
});

/**
 * Evidence of three invoices through the invoice runbook, written through the real writer:
 * - INV-1 (12500.00 USD): agent-matched, decided automatically, payment hold by the agent;
 * - INV-2 (30000.00 USD): escalated, approved by a controller;
 * - INV-3 (800.00 USD, runbook version 2): decided automatically, hold by the agent;
 * - INV-4 (45000.50 USD): escalated, nobody has decided yet.
 */
export async function writeInvoiceEvidence(writer: ChainedEvidenceWriter, prefix: string) {
  const agent = { kind: 'agent' as const, id: 'ap-agent-1', role: 'ap_agent' };
  const receipts: EvidenceReceipt[] = [];
  const append = async (input: EvidenceInput) => {
    receipts.push(await writer.append(input));
  };
  const inv1 = `${prefix}-exec-1`;
  const business1 = {
    vendorId: 'V-100',
    vendorName: 'Acme Supplies',
    invoiceNumber: 'INV-1',
    amount: '12500.00',
    currency: 'USD',
  };
  await append(
    modelCallEvidence({
      ...base(inv1, ''),
      step: 'ExtractInvoice',
      actor: agent,
      modelId: 'local-deterministic-model',
      promptTemplateId: 'extract-invoice',
      promptTemplateVersion: '3',
      inputTokens: 812,
      outputTokens: 140,
      latencyMs: 95,
      rawOutput: '{"invoiceNumber":"INV-1","total":"12500.00"}',
      prompt: 'Extract the invoice fields from: ...',
      business: business1,
    }),
  );
  await append({
    ...base(inv1, 'Match/rule_result'),
    recordType: 'rule_result',
    actor: { kind: 'system', id: 'matcher' },
    business: business1,
    details: { rule: 'three_way_match', passed: true },
  });
  await append({
    ...base(inv1, 'Decide/decision'),
    recordType: 'decision',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business1, decision: 'AUTO_APPROVED', reasonCodes: ['MATCH_OK', 'WITHIN_AUTHORITY'] },
    details: {},
  });
  await append({
    ...base(inv1, 'HoldPayment/action'),
    recordType: 'action',
    actor: agent,
    business: business1,
    details: { action: 'escrow_hold' },
  });

  const inv2 = `${prefix}-exec-2`;
  const business2 = {
    vendorId: 'V-200',
    vendorName: 'Globex',
    invoiceNumber: 'INV-2',
    amount: '30000.00',
    currency: 'USD',
  };
  await append({
    ...base(inv2, 'Decide/decision'),
    recordType: 'decision',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business2, decision: 'ESCALATED', reasonCodes: ['OVER_AGENT_LIMIT'] },
    details: {},
  });
  await append({
    ...base(inv2, 'Escalate/escalation'),
    recordType: 'escalation',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business2, reasonCodes: ['OVER_AGENT_LIMIT', 'PRICE_VARIANCE'] },
    details: { to: 'controller' },
  });
  await append({
    ...base(inv2, 'Approve/approval'),
    recordType: 'approval',
    actor: { kind: 'person', id: 'casey.controller', role: 'controller' },
    business: { ...business2, decision: 'APPROVE' },
    details: { comment: 'Variance agreed with buyer' },
  });

  const inv3 = `${prefix}-exec-3`;
  const business3 = {
    vendorId: 'V-100',
    vendorName: 'Acme Supplies',
    invoiceNumber: 'INV-3',
    amount: '800.00',
    currency: 'USD',
  };
  const v2 = { runbookVersion: RUNBOOK_VERSION_2 };
  await append({
    ...base(inv3, 'Decide/decision'),
    ...v2,
    recordType: 'decision',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business3, decision: 'AUTO_APPROVED' },
    details: {},
  });
  await append({
    ...base(inv3, 'HoldPayment/action'),
    ...v2,
    recordType: 'action',
    actor: agent,
    business: business3,
    details: { action: 'escrow_hold' },
  });

  const inv4 = `${prefix}-exec-4`;
  const business4 = {
    vendorId: 'V-300',
    vendorName: 'Initech',
    invoiceNumber: 'INV-4',
    amount: '45000.50',
    currency: 'USD',
  };
  await append({
    ...base(inv4, 'Escalate/escalation'),
    recordType: 'escalation',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business4, reasonCodes: ['DUPLICATE_SUSPECTED'] },
    details: { to: 'controller' },
  });
  return receipts;
}
