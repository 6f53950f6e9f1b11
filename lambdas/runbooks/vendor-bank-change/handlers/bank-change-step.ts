import * as z from 'zod';
import type { EvidenceActor } from '#platform/evidence/core/records.ts';

const details = z.object({ bankAccount: z.string(), routingNumber: z.string() });

/** What every vendor-bank-change Task receives besides the runbook context. */
export const BANK_CHANGE_TASK = {
  request: z.object({
    vendorId: z.string().min(1),
    next: details,
    origin: z.object({
      channel: z.enum(['email', 'letter', 'portal', 'phone', 'invoice']),
      sender: z.string().optional(),
      receivedAt: z.string(),
    }),
    reason: z.string(),
  }),
  requestedBy: z.object({ userId: z.string().min(1), username: z.string(), roles: z.array(z.string()) }),
  submittedAt: z.iso.datetime(),
};

/** Compare's result: what the later steps re-check against. */
export const comparisonResult = z.object({
  vendorId: z.string(),
  vendorName: z.string(),
  currency: z.string(),
  /** The master's details as compared: the change is written only over exactly these. */
  expected: details,
  differences: z.array(z.object({ field: z.string(), from: z.string(), to: z.string() })),
  riskFlags: z.array(z.object({ code: z.string(), detail: z.string() })),
});
export type ComparisonResult = z.infer<typeof comparisonResult>;

/** A decision as ReadDecision returns it. */
export const decisionResult = z.object({
  approvalId: z.string(),
  decision: z.string(),
  by: z.string(),
  byUserId: z.string(),
  role: z.string(),
  at: z.string(),
  comment: z.string(),
  phone: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
});
export type DecisionResult = z.infer<typeof decisionResult>;

export const BANK_CHANGE_RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-bank-change-rules',
  role: 'deterministic_rules',
};

/** The work-room id of each human step of a run. */
export function approvalIdOf(executionId: string, stage: 'verification' | 'approval'): string {
  return `${executionId}-${stage}`;
}

/** A separation-of-duties rule does not hold: the run changes nothing and fails, recorded. */
export class SeparationOfDutiesError extends Error {
  constructor(problem: string) {
    super(`The bank-detail change cannot proceed: ${problem}.`);
    this.name = 'SeparationOfDutiesError';
  }
}

/** The work room does not hold a decision of this run under that id. */
export class DecisionNotReadableError extends Error {
  constructor(approvalId: string, problem: string) {
    super(`Decision ${approvalId} cannot be applied: ${problem}.`);
    this.name = 'DecisionNotReadableError';
  }
}

/** Another run's change of the same vendor is pending. */
export class BankChangePendingError extends Error {
  constructor(vendorId: string, executionId: string) {
    super(`Vendor ${vendorId} already has a bank-detail change pending in ${executionId}.`);
    this.name = 'BankChangePendingError';
  }
}
