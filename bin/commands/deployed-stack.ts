import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { TABLE_ENV, TABLE_IDS } from '#platform/aws/resource-env.ts';

/**
 * Points the AWS SDK adapters at a deployed stack's tables: physical names come from
 * CloudFormation, credentials and region from the usual AWS chain.
 */
export async function useDeployedStack(stackName: string): Promise<void> {
  const client = new CloudFormationClient({});
  const tables = new Map<string, string>();
  for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType === 'AWS::DynamoDB::Table' && resource.PhysicalResourceId) {
        tables.set(resource.LogicalResourceId ?? '', resource.PhysicalResourceId);
      }
    }
  }
  for (const id of TABLE_IDS) {
    const capitalised = `${id.charAt(0).toUpperCase()}${id.slice(1)}`;
    const found = [...tables.entries()].find(([logicalId]) => logicalId.startsWith(`Tables${capitalised}`));
    if (!found)
      throw Object.assign(new Error(`Stack ${stackName} has no ${id} table; is it a Tollgate stack?`), {
        code: 'STACK_NOT_TOLLGATE',
      });
    process.env[TABLE_ENV[id]] = found[1];
  }
}
