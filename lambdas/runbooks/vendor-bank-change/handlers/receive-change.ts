import { approvalTimeoutSeconds } from '#platform/approvals/adapters/approval-timeout.ts';
import { isValidIban } from '#platform/core/bank-accounts.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { BANK_CHANGE_POLICY } from '#runbooks/vendor-bank-change/adapters/bank-change-policy.ts';
import { pendingBankChange } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import {
  type ChangeOrigin,
  currentDetails,
  masterForm,
  newBankDetailsSchema,
  sameDetails,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';
import type { VendorBankChangeRequest } from '#runbooks/vendor-bank-change/module.ts';

const sor = new DynamoDbSystemOfRecord();
const executions = new DynamoDbExecutionIndex();

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
  const { vendorId, newBankDetails, origin, reason } =
    'fromInvoice' in context.body ? await fromInvoice(context.body) : context.body;
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
    decisionTimeoutSeconds: approvalTimeoutSeconds(BANK_CHANGE_POLICY.decisionTimeoutHours * 3600),
  };
}

type FromInvoice = Extract<VendorBankChangeRequest, { fromInvoice: unknown }>;
type DirectChange = Omit<Exclude<VendorBankChangeRequest, FromInvoice>, 'origin'> & { origin: ChangeOrigin };

/**
 * The change an invoice run shows: the invoice was matched to a vendor, and the remit-to it read
 * differs from the vendor master (its BANK_DETAILS_MISMATCH check failed). The invoice is the
 * request's origin, an unauthenticated channel like an e-mail; nothing from the invoice is trusted
 * beyond the details to verify by call-back.
 */
async function fromInvoice(body: FromInvoice): Promise<DirectChange> {
  const { executionId } = body.fromInvoice;
  const run = await executions.find(executionId);
  if (run?.runbook !== 'invoice-reconciliation')
    refuse('UNKNOWN_INVOICE_RUN', `fromInvoice.executionId: ${executionId} is not an invoice run.`);
  const found = (await getCase(executionId)) ?? {};
  const invoice = found.invoice as
    | {
        invoiceNumber?: string | null;
        remitTo?: { bankAccount: string | null; routingNumber: string | null } | null;
      }
    | undefined;
  const match = found.match as
    | { vendor?: { vendorId: string } | null; results?: { code: string; passed: boolean }[] }
    | undefined;
  const vendorId = match?.vendor?.vendorId;
  if (!vendorId)
    refuse('INVOICE_NOT_MATCHED', `fromInvoice.executionId: run ${executionId} matched no vendor.`);
  const remitTo = invoice?.remitTo;
  const changed = match?.results?.some((r) => r.code === 'BANK_DETAILS_MISMATCH' && !r.passed);
  if (!remitTo?.bankAccount || !changed)
    refuse(
      'NO_NEW_REMIT_TO',
      `fromInvoice.executionId: the invoice of run ${executionId} shows no remit-to that differs from the vendor master.`,
    );
  const account = remitTo.bankAccount;
  const routing = remitTo.routingNumber ?? '';
  const parsed = newBankDetailsSchema.safeParse(
    isValidIban(account)
      ? { iban: account, ...(routing ? { bic: routing } : {}) }
      : { bankAccount: account, routingNumber: routing },
  );
  if (!parsed.success)
    refuse(
      'REMIT_TO_UNUSABLE',
      `fromInvoice.executionId: the remit-to on the invoice of run ${executionId} fails its check digits; there is nothing to verify.`,
    );
  return {
    vendorId,
    newBankDetails: parsed.data,
    origin: {
      channel: 'invoice',
      sender: `invoice ${invoice?.invoiceNumber ?? '?'} (run ${executionId})`,
      receivedAt: run.createdAt,
    },
    reason:
      body.reason ??
      `Invoice ${invoice?.invoiceNumber ?? '?'} asks for payment to an account not in the vendor master.`,
  };
}
