import { TollgateError } from '#platform/core/errors.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { BANK_CHANGE_POLICY } from '#runbooks/vendor-bank-change/adapters/bank-change-policy.ts';
import { pendingBankChange } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import { currentDetails, masterForm, sameDetails } from '#runbooks/vendor-bank-change/core/bank-change.ts';
import type { VendorBankChangeRequest } from '#runbooks/vendor-bank-change/module.ts';

const sor = new DynamoDbSystemOfRecord();

/** Seconds a verifier, and then a controller, each have: stage setting, else the policy's hours. */
function decisionTimeoutSeconds(): number {
  const configured = Number(process.env.APPROVAL_TIMEOUT_SECONDS);
  return Number.isInteger(configured) && configured > 0
    ? configured
    : BANK_CHANGE_POLICY.decisionTimeoutHours * 3600;
}

function refuse(reason: string, message: string): never {
  throw new TollgateError('VALIDATION_FAILED', message, { reason });
}

/**
 * Starting a bank-detail change: the vendor must be in the master with a number on file to call
 * back, the new details must differ from the master's, and no other change may be pending for the
 * vendor. Anything else is refused here, before a run exists.
 */
export async function receiveChange(
  context: IntakeContext<VendorBankChangeRequest>,
): Promise<Record<string, unknown>> {
  const { vendorId, newBankDetails, origin, reason } = context.body;
  const vendor = await sor.getVendor(vendorId);
  if (!vendor) refuse('UNKNOWN_VENDOR', `vendorId: no vendor ${vendorId} in the vendor master.`);
  const next = masterForm(newBankDetails);
  if (sameDetails(next, currentDetails(vendor)))
    refuse(
      'SAME_BANK_DETAILS',
      `newBankDetails: vendor ${vendorId} already has these bank details; nothing to change.`,
    );
  if (!vendor.contactPhones?.length)
    refuse(
      'NO_CALLBACK_NUMBER',
      `vendorId: vendor ${vendorId} has no phone number in the vendor master to call back on; add one through the ERP first.`,
    );
  const pending = await pendingBankChange(vendorId);
  if (pending && pending.executionId !== context.executionId)
    throw new TollgateError(
      'CONFLICT',
      `Vendor ${vendorId} already has a bank-detail change pending (${pending.executionId}); decide that one first.`,
      { reason: 'BANK_CHANGE_PENDING', executionId: pending.executionId },
    );
  return {
    request: {
      vendorId,
      next,
      origin: {
        channel: origin.channel,
        receivedAt: origin.receivedAt,
        ...(origin.sender ? { sender: origin.sender } : {}),
      },
      reason,
    },
    decisionTimeoutSeconds: decisionTimeoutSeconds(),
  };
}
