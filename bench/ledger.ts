import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { localTableName } from '../local/provision.ts';
import { startLocalTables } from '../test/support/dynamodb-tables.ts';

// Escrow ledger throughput on DynamoDB Local: one hold + one post per iteration, all on one
// funding account, beside a single-item conditional write measured in the same run.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LEVELS = [1, 8, 32];

function percentile(sorted: number[], p: number): number {
  return sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
    : 0;
}

async function drive(clients: number, iteration: (client: number, n: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let failures = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t = performance.now();
        try {
          await iteration(client, n);
          latencies.push(performance.now() - t);
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
  };
}

const tables = await startLocalTables();
try {
  const client = tables.client();
  const reasons = new Map<string, number>();
  const ledger = new DynamoDbEscrowLedger({
    client,
    maxAttempts: 100,
    onCancellation: (codes) => {
      for (const code of codes) if (code !== 'None') reasons.set(code, (reasons.get(code) ?? 0) + 1);
    },
  });
  await ledger.fund({ operationId: 'bench-fund', accountId: 'BENCH', amount: money('100000000.00', 'USD') });
  await client.send(
    new UpdateItemCommand({
      TableName: localTableName('escrow'),
      Key: { pk: { S: 'BASELINE' }, sk: { S: 'BASELINE' } },
      UpdateExpression: 'ADD n :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }),
  );
  console.log(`escrow ledger bench: DynamoDB Local, ${SECONDS} s per level, one hot funding account`);
  console.log(
    'clients | hold+post/s | p50 ms | p99 ms | baseline writes/s | baseline p50 ms | ratio | cancellation reasons',
  );
  for (const clients of LEVELS) {
    reasons.clear();
    const run = `c${clients}`;
    const ledgerResult = await drive(clients, async (c, n) => {
      const holdId = `${run}-${c}-${n}`;
      await ledger.hold({
        operationId: `h-${holdId}`,
        holdId,
        accountId: 'BENCH',
        payee: 'vendor',
        amount: money('10.00', 'USD'),
        reason: 'bench',
        expiresAt: new Date(Date.now() + 3_600_000),
        initiatedBy: { kind: 'person', id: 'bench' },
      });
      await ledger.post({ operationId: `p-${holdId}`, holdId, amount: money('7.50', 'USD') });
    });
    const baseline = await drive(clients, async () => {
      await client.send(
        new UpdateItemCommand({
          TableName: localTableName('escrow'),
          Key: { pk: { S: 'BASELINE' }, sk: { S: 'BASELINE' } },
          UpdateExpression: 'ADD n :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    });
    const counted = [...reasons].map(([code, count]) => `${code}=${count}`).join(' ') || 'none';
    console.log(
      `${String(clients).padStart(7)} | ${ledgerResult.perSecond.toFixed(1).padStart(11)} | ${ledgerResult.p50.toFixed(1).padStart(6)} | ${ledgerResult.p99.toFixed(1).padStart(6)} | ${baseline.perSecond.toFixed(1).padStart(17)} | ${baseline.p50.toFixed(1).padStart(15)} | ${(ledgerResult.perSecond / baseline.perSecond).toFixed(3)} | ${counted}${ledgerResult.failures ? ` failed=${ledgerResult.failures}` : ''}`,
    );
  }
  const account = await ledger.getAccount('BENCH');
  const consistent =
    account && account.available.minor === account.funded.minor - account.posted.minor - account.held.minor;
  console.log(
    `account after the run: held ${account?.held.minor} minor units, invariant ${consistent ? 'holds' : 'BROKEN'}`,
  );
} finally {
  await tables.stop();
}
