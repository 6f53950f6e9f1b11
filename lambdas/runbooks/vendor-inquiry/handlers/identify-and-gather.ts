import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import {
  type BankChangeHandover,
  startBankChange,
} from '#runbooks/vendor-inquiry/adapters/bank-change-handover.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import { gatherFacts } from '#runbooks/vendor-inquiry/adapters/invoice-facts.ts';
import { DynamoDbVendorDirectory } from '#runbooks/vendor-inquiry/adapters/vendor-directory-dynamodb.ts';
import { bankDetailsIn } from '#runbooks/vendor-inquiry/core/bank-details.ts';
import type { InquiryFacts } from '#runbooks/vendor-inquiry/core/facts.ts';
import { identifySender, parseSender } from '#runbooks/vendor-inquiry/core/identity.ts';
import { classifiedResult, type IdentityResult, INQUIRY_RULES_ACTOR, INQUIRY_TASK } from './inquiry-step.ts';

const directory = new DynamoDbVendorDirectory();
const sor = new DynamoDbSystemOfRecord();

async function identify(from: string): Promise<IdentityResult> {
  const sender = parseSender(from);
  const outcome = sender
    ? identifySender(sender, await directory.candidates(sender), INQUIRY_POLICY.sharedMailDomains)
    : ({ identified: false, reason: 'NO_MATCH', signals: [] } as const);
  const address = sender?.address ?? null;
  return outcome.identified
    ? {
        identified: true,
        vendorId: outcome.vendorId,
        vendorName: outcome.vendorName,
        method: outcome.method,
        reason: null,
        signals: [...outcome.signals],
        address,
      }
    : {
        identified: false,
        vendorId: null,
        vendorName: null,
        method: null,
        reason: outcome.reason,
        signals: [...outcome.signals],
        address,
      };
}

/**
 * Task IdentifyAndGatherFacts (deterministic). Identity before data: first the sender's address
 * against the contact addresses the vendor master registers (never its display name, never what
 * the body claims). Then, for an identified vendor only, each invoice the message names, read
 * under that vendor from the system of record. An unknown sender reads nothing; a bank-detail
 * change reads nothing either, since its reply states no invoice. Each part leaves its own record.
 */
export const handler = runbookStep({
  input: { ...INQUIRY_TASK, classification: classifiedResult },
  run: async (task) => {
    const identity = await identify(task.request.message.from);
    let facts: InquiryFacts | null = null;
    if (identity.identified && identity.vendorId) {
      const vendor = await sor.getVendor(identity.vendorId);
      if (!vendor) throw new Error(`Vendor ${identity.vendorId} is no longer in the vendor master.`);
      const numbers =
        task.classification.intent === 'BANK_DETAIL_CHANGE' ? [] : task.classification.invoiceNumbers;
      facts = await gatherFacts(vendor, numbers, INQUIRY_POLICY);
    }
    // A bank-detail change from an identified vendor goes to the vendor bank-change runbook (call-back,
    // controller); from anyone else it goes nowhere but to a person.
    let bankChange: BankChangeHandover | null = null;
    if (
      identity.identified &&
      identity.vendorId &&
      identity.address &&
      task.classification.intent === 'BANK_DETAIL_CHANGE'
    ) {
      const { subject, body } = task.request.message;
      const details = bankDetailsIn(`${subject}\n${body}`);
      bankChange = details
        ? await startBankChange({
            inquiryExecutionId: task.executionId,
            vendorId: identity.vendorId,
            details,
            sender: identity.address,
            receivedAt: task.request.receivedAt,
            subject,
            requestedBy: task.requestedBy,
          })
        : { status: 'NO_DETAILS' };
    }
    const vendorBusiness = {
      ...(identity.vendorId ? { vendorId: identity.vendorId } : {}),
      ...(identity.vendorName ? { vendorName: identity.vendorName } : {}),
    };
    return {
      result: { identity, facts, bankChange },
      case: {
        vendor: identity.identified
          ? { vendorId: identity.vendorId, name: identity.vendorName, identifiedBy: identity.method }
          : null,
        identity: { identified: identity.identified, method: identity.method, reason: identity.reason },
        facts,
        bankChange,
      },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'Identify/rule_result',
          actor: INQUIRY_RULES_ACTOR,
          details: {
            rule: 'identity_before_data',
            senderAddress: identity.address,
            displayName: parseSender(task.request.message.from)?.displayName ?? null,
            identified: identity.identified,
            method: identity.method,
            reason: identity.reason,
            signals: identity.signals,
            messageHash: task.request.messageHash,
          },
          business: {
            ...vendorBusiness,
            decision: identity.identified ? 'IDENTIFIED' : 'NOT_IDENTIFIED',
            reasonCodes: [identity.method ?? identity.reason ?? 'NO_MATCH'],
          },
        },
        {
          recordType: 'rule_result',
          eventKey: 'GatherFacts/rule_result',
          actor: INQUIRY_RULES_ACTOR,
          details: {
            rule: 'answers_from_system_of_record',
            consulted: facts ? ['escrow_holds', 'invoice_cases', 'processed_invoices'] : [],
            vendorId: identity.vendorId,
            facts,
          },
          business: { ...vendorBusiness, decision: facts ? 'FACTS_GATHERED' : 'NOTHING_READ' },
        },
        ...(bankChange
          ? [
              {
                recordType: 'action' as const,
                eventKey: 'BankChangeHandover/action',
                actor: INQUIRY_RULES_ACTOR,
                details: {
                  action: 'vendor_bank_change_handover',
                  runbook: 'vendor-bank-change',
                  onBehalfOf: task.requestedBy.username,
                  ...bankChange,
                },
                business: { ...vendorBusiness, decision: bankChange.status },
              },
            ]
          : []),
      ],
    };
  },
});
