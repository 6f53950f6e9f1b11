import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '#platform/aws/sfn-client.ts';
import type { ExecutionState, ExecutionStatus, RunbookEngine } from '#platform/runs/core/executions.ts';

/** Step Functions behind the RunbookEngine port; the local engine answers the same API. */
export class StepFunctionsRunbookEngine implements RunbookEngine {
  async start(stateMachineArn: string, name: string, input: string): Promise<void> {
    try {
      await stepFunctions.send(new StartExecutionCommand({ stateMachineArn, name, input }));
    } catch (error) {
      // The index already proved this is the same request; a finished execution of that name is the answer.
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  }

  async describe(executionArn: string): Promise<ExecutionState | undefined> {
    try {
      const out = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
      return {
        status: (out.status ?? 'RUNNING') as ExecutionStatus,
        ...(out.startDate ? { startedAt: out.startDate.toISOString() } : {}),
        ...(out.stopDate ? { stoppedAt: out.stopDate.toISOString() } : {}),
        ...(out.output ? { output: JSON.parse(out.output) as unknown } : {}),
        ...(out.error ? { error: out.error } : {}),
        ...(out.cause ? { cause: out.cause } : {}),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }
}
