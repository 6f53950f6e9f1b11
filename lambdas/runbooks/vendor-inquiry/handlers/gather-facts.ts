import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import { gatherFacts } from '#runbooks/vendor-inquiry/adapters/invoice-facts.ts';
import type { InquiryFacts } from '#runbooks/vendor-inquiry/core/facts.ts';
import { classifiedResult, INQUIRY_RULES_ACTOR, INQUIRY_TASK, identityResult } from './inquiry-step.ts';

const sor = new DynamoDbSystemOfRecord();

/**
 * Task GatherFacts (deterministic): for an identified vendor only, each invoice the message
 * names, read under that vendor from the system of record. An unknown sender reads nothing. A
 * bank-detail change reads nothing either: its reply states no invoice.
 */
export const handler = runbookStep({
  input: { ...INQUIRY_TASK, classification: classifiedResult, identity: identityResult },
  run: async (task) => {
    let facts: InquiryFacts | null = null;
    if (task.identity.identified && task.identity.vendorId) {
      const vendor = await sor.getVendor(task.identity.vendorId);
      if (!vendor) throw new Error(`Vendor ${task.identity.vendorId} is no longer in the vendor master.`);
      const numbers =
        task.classification.intent === 'BANK_DETAIL_CHANGE' ? [] : task.classification.invoiceNumbers;
      facts = await gatherFacts(vendor, numbers, INQUIRY_POLICY);
    }
    return {
      result: facts,
      case: { facts },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'GatherFacts/rule_result',
          actor: INQUIRY_RULES_ACTOR,
          details: {
            rule: 'answers_from_system_of_record',
            consulted: facts ? ['escrow_holds', 'invoice_cases', 'processed_invoices'] : [],
            vendorId: task.identity.vendorId,
            facts,
          },
          business: {
            ...(facts ? { vendorId: facts.vendorId, vendorName: facts.vendorName } : {}),
            decision: facts ? 'FACTS_GATHERED' : 'NOTHING_READ',
          },
        },
      ],
    };
  },
});
