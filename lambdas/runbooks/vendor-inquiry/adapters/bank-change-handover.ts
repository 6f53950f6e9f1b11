import { requireEnv, runbookArnEnv } from '#platform/aws/resource-env.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { startRunbook } from '#platform/runs/core/executions.ts';
import { runbookModules } from '#runbooks/registry.ts';
import type { NewBankDetails } from '#runbooks/vendor-bank-change/core/bank-change.ts';

export const BANK_CHANGE_RUNBOOK = 'vendor-bank-change';

export type BankChangeHandover =
  | { readonly status: 'STARTED'; readonly executionId: string }
  | { readonly status: 'REFUSED'; readonly reason: string; readonly message: string }
  | { readonly status: 'NO_DETAILS' };

/**
 * Starts the vendor bank-change runbook for a change a vendor asked for by message, on behalf of
 * the person who passed the message on: compared with the master, verified by a call-back on a
 * number on file, approved by a controller. What that runbook refuses (no number to call back, a
 * change already pending, the same details) is returned, never thrown: a clerk takes it from there.
 */
export async function startBankChange(input: {
  readonly inquiryExecutionId: string;
  readonly vendorId: string;
  readonly details: NewBankDetails;
  readonly sender: string;
  readonly receivedAt: string;
  readonly subject: string;
  readonly requestedBy: {
    readonly userId: string;
    readonly username: string;
    readonly roles: readonly string[];
  };
}): Promise<BankChangeHandover> {
  const principal: Principal = {
    userId: input.requestedBy.userId,
    username: input.requestedBy.username,
    roles: input.requestedBy.roles as Role[],
  };
  try {
    const { record } = await startRunbook(
      {
        index: new DynamoDbExecutionIndex(),
        engine: new StepFunctionsRunbookEngine(),
        stateMachineArn: (runbook) => requireEnv(runbookArnEnv(runbook)),
        now: () => new Date(),
        runbooks: runbookModules,
      },
      {
        runbook: BANK_CHANGE_RUNBOOK,
        idempotencyKey: `vendor-inquiry:${input.inquiryExecutionId}`,
        body: {
          vendorId: input.vendorId,
          newBankDetails: input.details,
          origin: { channel: 'email', sender: input.sender, receivedAt: input.receivedAt },
          reason:
            `The vendor asked by e-mail (vendor inquiry ${input.inquiryExecutionId}): ${input.subject}`.slice(
              0,
              1000,
            ),
        },
        principal,
      },
    );
    return { status: 'STARTED', executionId: record.executionId };
  } catch (error) {
    if (!(error instanceof TollgateError)) throw error;
    const reason = typeof error.details?.reason === 'string' ? error.details.reason : error.code;
    return { status: 'REFUSED', reason, message: error.message.slice(0, 300) };
  }
}
