import * as z from 'zod';

/**
 * The payment-run policy (statemachines/policies/payment-run.json, part of the runbook's version):
 * the agent that proposes runs, the bounds of a run, and for each funding account how its bank
 * expects payments — the originator details a bank file carries.
 */
const nachaOriginator = z.strictObject({
  format: z.literal('nacha'),
  name: z.string().min(1).max(23),
  companyId: z.string().length(10),
  originatingDfi: z.string().regex(/^\d{8}$/),
  immediateDestination: z.string().regex(/^\d{9}$/),
  immediateDestinationName: z.string().min(1).max(23),
  immediateOrigin: z.string().length(10),
  secCode: z.enum(['PPD', 'CCD']),
  entryDescription: z.string().min(1).max(10),
  /** The funding account at the originating bank, as its statements name it (a NACHA file carries only the company id). */
  accountNumber: z
    .string()
    .regex(/^\d{4,17}$/)
    .optional(),
});

const pain001Originator = z.strictObject({
  format: z.literal('pain.001'),
  name: z.string().min(1).max(70),
  iban: z.string().min(15).max(34),
  bic: z.string().min(8).max(11).optional(),
});

export const paymentRunPolicySchema = z.strictObject({
  /** The agent whose pact (`payment.release`) lets it release a run without a person. */
  agentId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/),
  /** When the stage starts a run for every funding account: an EventBridge cron expression, UTC (each business day). */
  schedule: z
    .string()
    .regex(/^cron\([^()]{9,200}\)$/, 'an EventBridge cron expression such as cron(0 6 ? * MON-FRI *)'),
  /** Holds one run takes at most; the rest wait for the next run (oldest release first). */
  maxPaymentsPerRun: z.number().int().min(1).max(10_000),
  /** Days after a vendor's bank details changed during which nothing is paid to it. */
  bankDetailsCoolingOffDays: z.number().int().min(0).max(90),
  originators: z.record(
    z.string().min(1).max(64),
    z.discriminatedUnion('format', [nachaOriginator, pain001Originator]),
  ),
});

export type PaymentRunPolicy = z.infer<typeof paymentRunPolicySchema>;
export type Originator = PaymentRunPolicy['originators'][string];
