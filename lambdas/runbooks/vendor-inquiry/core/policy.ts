import * as z from 'zod';

/** statemachines/policies/vendor-inquiry.json: part of the runbook version. */
export const inquiryPolicySchema = z.strictObject({
  /** The agent whose pact covers sending replies; the requester never chooses it. */
  agentId: z.string().min(1),
  /** The pact action a reply goes out under. */
  replyAction: z.string().regex(/^[a-z][a-z_]*\.[a-z][a-z_]*$/),
  /** Tiers whose replies go out alone; below them every reply is a draft for a clerk. */
  sendingTiers: z.array(z.enum(['shadow', 'supervised', 'bounded', 'extended'])).min(1),
  /** Mail providers many senders share: their domain never identifies a vendor. */
  sharedMailDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/)).max(200),
  /** Rejection reason codes the vendor may read, with the sentence they read. No digits. */
  shareableRejectionReasons: z.record(
    z.string().regex(/^[A-Z_]+$/),
    z
      .string()
      .min(1)
      .max(300)
      .refine((text) => !/\d/.test(text), 'no digits: every number in a reply must be a fact'),
  ),
  /** What a vendor reads for any other rejection. */
  genericRejectionReason: z
    .string()
    .min(1)
    .max(300)
    .refine((text) => !/\d/.test(text), 'no digits'),
  /** How long a draft waits for a clerk before it closes unsent. */
  reviewTimeoutHours: z.number().int().positive().max(720),
  /** Response-time target quoted on the dashboard, in minutes. */
  responseTargetMinutes: z.number().int().positive(),
});
export type InquiryPolicy = z.infer<typeof inquiryPolicySchema>;
