import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPrefix } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type {
  ChangeRequest,
  Person,
  ReleaseHistory,
  RunbookArtifacts,
  StageRelease,
} from '../core/change-requests.ts';

const releasePk = (runbook: string) => `RELEASE#${runbook}`;
/** Change requests of one runbook read at the most (pages of up to 1 MB each). */
const MAX_PAGES = 20;

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/**
 * Change requests, the version live per stage and each proposed version's files, in the work
 * table under `RELEASE#<runbook>`. A version goes live only in the transaction that approves its
 * change, conditional on the change still pending and the stage still running what it ran when
 * the change was proposed.
 */
export class DynamoDbReleaseStore {
  async history(runbook: string): Promise<ReleaseHistory> {
    const read = (prefix: string) =>
      queryPrefix(tableName('work'), releasePk(runbook), prefix, {
        maxPages: MAX_PAGES,
        atBound: 'refuse',
        what: `Release history of ${runbook}`,
      });
    const [changeItems, stageItems] = await Promise.all([read('CHANGE#'), read('STAGE#')]);
    const changes = changeItems
      .map((i) => strip<ChangeRequest>(i))
      .sort((a, b) => a.proposedAt.localeCompare(b.proposedAt) || a.changeId.localeCompare(b.changeId));
    const live = stageItems.map((i) => strip<StageRelease>(i));
    return { changes, live };
  }

  async change(runbook: string, changeId: string): Promise<ChangeRequest | undefined> {
    const out = await this.#get(runbook, `CHANGE#${changeId}`);
    return out ? strip<ChangeRequest>(out) : undefined;
  }

  async artifacts(runbook: string, version: string): Promise<RunbookArtifacts | undefined> {
    const out = await this.#get(runbook, `VERSION#${version}`);
    return out
      ? { asl: String(out.asl), markdown: String(out.markdown), policy: String(out.policy) }
      : undefined;
  }

  /** Stores the change (new) and its version's files (the same files for the same hash). */
  async propose(change: ChangeRequest, artifacts: RunbookArtifacts): Promise<void> {
    const table = tableName('work');
    const pk = releasePk(change.runbook);
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { pk, sk: `CHANGE#${change.changeId}`, ...change },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table,
                Item: { pk, sk: `VERSION#${change.version}`, version: change.version, ...artifacts },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException')
        throw new TollgateError('CONFLICT', `Change ${change.changeId} exists already.`);
      rethrowTransient(error);
    }
  }

  /** Approves the change and puts its version live in its stage, in one transaction. */
  async approve(change: ChangeRequest, by: Person, at: string, comment: string): Promise<StageRelease> {
    const table = tableName('work');
    const pk = releasePk(change.runbook);
    const release: StageRelease = {
      stage: change.stage,
      version: change.version,
      changeId: change.changeId,
      since: at,
      approvedBy: by.username,
    };
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table,
                Key: { pk, sk: `CHANGE#${change.changeId}` },
                UpdateExpression: 'SET #status = :approved, #decision = :decision',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
                ExpressionAttributeValues: {
                  ':approved': 'APPROVED',
                  ':pending': 'PENDING',
                  ':decision': { by, at, comment },
                },
              },
            },
            {
              Put: {
                TableName: table,
                Item: { pk, sk: `STAGE#${change.stage}`, ...release },
                ...(change.fromVersion === null
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: 'version = :from',
                      ExpressionAttributeValues: { ':from': change.fromVersion },
                    }),
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException')
        throw new TollgateError(
          'CONFLICT',
          `Change ${change.changeId} or stage ${change.stage} changed meanwhile; read the history again.`,
          { reason: 'STAGE_CHANGED_SINCE_PROPOSAL' },
        );
      rethrowTransient(error);
    }
    return release;
  }

  /** Refuses a pending change; false when it was decided meanwhile. */
  async refuse(change: ChangeRequest, by: Person, at: string, comment: string): Promise<boolean> {
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName('work'),
                Key: { pk: releasePk(change.runbook), sk: `CHANGE#${change.changeId}` },
                UpdateExpression: 'SET #status = :refused, #decision = :decision',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
                ExpressionAttributeValues: {
                  ':refused': 'REFUSED',
                  ':pending': 'PENDING',
                  ':decision': { by, at, comment },
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return false;
      rethrowTransient(error);
    }
  }

  async #get(runbook: string, sk: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('work'),
          Key: { pk: releasePk(runbook), sk },
          ConsistentRead: true,
        }),
      );
      return out.Item;
    } catch (error) {
      rethrowTransient(error);
    }
  }
}
