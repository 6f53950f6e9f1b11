import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { BANK_CHANGE_POLICY } from '#runbooks/vendor-bank-change/adapters/bank-change-policy.ts';
import {
  markBankChangePending,
  pendingBankChange,
} from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import {
  compareWithMaster,
  currentDetails,
  detailsView,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';
import { BANK_CHANGE_RULES_ACTOR, BANK_CHANGE_TASK, BankChangePendingError } from './bank-change-step.ts';

const sor = new DynamoDbSystemOfRecord();

/**
 * Task Compare (deterministic): the requested details against the vendor master and the request's
 * origin — what changes and which risk flags — recorded before anyone is asked; the vendor is
 * marked as having a change pending, one run at a time.
 */
export const handler = runbookStep({
  input: BANK_CHANGE_TASK,
  run: async (task) => {
    const { vendorId, next, origin } = task.request;
    const vendor = await sor.getVendor(vendorId);
    if (!vendor) throw new Error(`Vendor ${vendorId} is no longer in the vendor master.`);
    const marked = await markBankChangePending({
      vendorId,
      executionId: task.executionId,
      requestedBy: task.requestedBy.username,
      since: task.submittedAt,
    });
    if (!marked)
      throw new BankChangePendingError(
        vendorId,
        (await pendingBankChange(vendorId))?.executionId ?? 'another run',
      );
    const expected = currentDetails(vendor);
    const { differences, riskFlags } = compareWithMaster(
      vendor,
      next,
      origin,
      BANK_CHANGE_POLICY,
      ledgerDay(new Date(task.submittedAt)),
    );
    const result = {
      vendorId,
      vendorName: vendor.name,
      currency: vendor.currency,
      expected,
      differences: [...differences],
      riskFlags: [...riskFlags],
    };
    return {
      result,
      case: { comparison: { vendorId, vendorName: vendor.name, differences, riskFlags } },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'Compare/rule_result',
          actor: BANK_CHANGE_RULES_ACTOR,
          details: {
            from: detailsView(expected),
            to: detailsView(next),
            differences,
            riskFlags,
            origin,
            reason: task.request.reason,
            requestedBy: task.requestedBy.username,
          },
          business: {
            vendorId,
            vendorName: vendor.name,
            decision: 'PENDING_VERIFICATION',
            reasonCodes: riskFlags.map((flag) => flag.code),
          },
        },
      ],
    };
  },
});
