import * as z from 'zod';
import type { EvidenceActor } from '#platform/evidence/core/records.ts';
import { classificationSchema, INTENTS } from '#runbooks/vendor-inquiry/core/classify.ts';

/** What every vendor-inquiry Task receives besides the runbook context. */
export const INQUIRY_TASK = {
  request: z.object({
    message: z.object({
      from: z.string().min(1),
      subject: z.string(),
      body: z.string(),
      attachments: z
        .array(z.object({ name: z.string(), contentType: z.string(), size: z.number() }))
        .optional(),
    }),
    receivedAt: z.iso.datetime({ offset: true }),
    messageHash: z.string().regex(/^[a-f0-9]{64}$/),
    channel: z.enum(['api', 'intake']),
  }),
  requestedBy: z.object({ userId: z.string().min(1), username: z.string(), roles: z.array(z.string()) }),
  submittedAt: z.iso.datetime(),
};

/** Classify's result. */
export const classifiedResult = classificationSchema.extend({
  intent: z.enum(INTENTS),
  signals: z.array(z.string()),
});
export type ClassifiedResult = z.infer<typeof classifiedResult>;

/** Identify's result. */
export const identityResult = z.object({
  identified: z.boolean(),
  vendorId: z.string().nullable(),
  vendorName: z.string().nullable(),
  method: z.enum(['CONTACT_ADDRESS', 'CONTACT_DOMAIN']).nullable(),
  reason: z.string().nullable(),
  signals: z.array(z.string()),
  /** The sender's address as parsed (lower-cased), where a reply goes. */
  address: z.string().nullable(),
});
export type IdentityResult = z.infer<typeof identityResult>;

export const INQUIRY_RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-vendor-inquiry-rules',
  role: 'deterministic_rules',
};
