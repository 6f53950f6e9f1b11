import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { clearBankChangePending } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import {
  calledBackNumber,
  detailsView,
  separationProblem,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';
import {
  approvalIdOf,
  BANK_CHANGE_TASK,
  comparisonResult,
  decisionResult,
  SeparationOfDutiesError,
} from './bank-change-step.ts';
import { readDecided } from './read-decision.ts';

const sor = new DynamoDbSystemOfRecord();

/**
 * Task ApplyChange: the pair assertion where the effect happens — both decisions re-read from the
 * work room (not from the run's state): verified on a number on file by someone other than the
 * requester, approved by a controller who is neither. Then one conditional write: the new details
 * and `bankDetailsChangedAt` (the approval's day, which starts the payment run's cooling-off),
 * only if the master still holds the details that were verified against.
 */
export const handler = runbookStep({
  input: {
    ...BANK_CHANGE_TASK,
    comparison: comparisonResult,
    verification: decisionResult,
    approval: decisionResult,
  },
  run: async (task) => {
    const { comparison } = task;
    const verification = await readDecided(approvalIdOf(task.executionId, 'verification'), task);
    const approval = await readDecided(approvalIdOf(task.executionId, 'approval'), task);
    if (verification.decision !== 'APPROVE' || approval.decision !== 'APPROVE')
      throw new SeparationOfDutiesError('the work room does not hold a verification and an approval');
    const problem = separationProblem(task.requestedBy, verification.decidedBy, approval.decidedBy);
    if (problem) throw new SeparationOfDutiesError(problem);
    const vendor = await sor.getVendor(comparison.vendorId);
    const calledOn = calledBackNumber(verification.comment ?? '', vendor?.contactPhones ?? []);
    if (!calledOn)
      throw new SeparationOfDutiesError('the verification names no phone number from the vendor master');
    if (!sor.changeVendorBankDetails) throw new Error('This system of record cannot change bank details.');
    const changedAt = approval.decidedAt.slice(0, 10);
    const written = await sor.changeVendorBankDetails({
      vendorId: comparison.vendorId,
      changeId: task.executionId,
      expected: comparison.expected,
      next: task.request.next,
      changedAt,
    });
    if (written === 'not_found')
      throw new Error(`Vendor ${comparison.vendorId} is no longer in the vendor master.`);
    const status = written === 'details_changed' ? 'SUPERSEDED' : 'CHANGED';
    const outcome = {
      status,
      at: new Date().toISOString(),
      ...(status === 'CHANGED'
        ? { bankDetailsChangedAt: changedAt }
        : {
            reason:
              'The vendor master no longer holds the details this change was verified against; nothing was written.',
          }),
      verifiedBy: verification.decidedBy.username,
      calledOn,
      approvedBy: approval.decidedBy.username,
    };
    return {
      result: outcome,
      case: { outcome },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'ApplyChange/action',
          actor: { kind: 'person', id: approval.decidedBy.username, role: approval.decidedBy.role },
          details: {
            action: status === 'CHANGED' ? 'vendor_bank_details_changed' : 'vendor_bank_change_superseded',
            vendorId: comparison.vendorId,
            from: detailsView(comparison.expected),
            to: detailsView(task.request.next),
            requestedBy: task.requestedBy.username,
            ...outcome,
          },
          business: { vendorId: comparison.vendorId, vendorName: comparison.vendorName, decision: status },
        },
      ],
      after: () => clearBankChangePending(comparison.vendorId, task.executionId),
    };
  },
});
