import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { abaCheckDigit } from '#platform/core/bank-accounts.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import {
  DynamoDbSystemOfRecord,
  referenceKeys,
} from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { markPayeePaid } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { catalogFunctions } from '../lib/catalog.ts';
import { issueDevToken } from '../local/dev-identity.ts';
import { startLocalStack } from '../local/local-stack.ts';
import { measureAwsUsage } from './aws-usage.ts';

// One payment run of BENCH_PAYMENTS due holds (default 10,000) on the local stack: wall time,
// DynamoDB capacity per payment, and the AWS cost per 1,000 payments from the counts measured
// and the list prices in aws-prices.json. Time is also printed as a ratio to one conditional
// DynamoDB write measured in the same run, which is what survives a noisy machine.
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 10_000);
const VENDORS = Math.max(1, Math.min(500, Math.ceil(PAYMENTS / 50)));
const ACCOUNT = 'AP-USD-OPERATING';
const prices = JSON.parse(readFileSync(new URL('./aws-prices.json', import.meta.url), 'utf8')) as {
  asOf: string;
  note: string;
  prices: Record<string, { usd: string }>;
};
const price = (name: string) => Number(prices.prices[name]?.usd);

let measuring = false;
const { invocations, dynamo, s3Calls } = measureAwsUsage(
  (functionId) => measuring && functionId !== 'GetExecution',
);

async function eachBounded<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
    }),
  );
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-payrun-bench-'));
const stack = await startLocalStack({ port: 0, dataDir, inMemory: true, digestIntervalMs: 0 });
try {
  // Prepare (not measured): vendors with routable bank details, each paid before; the agent's pact
  // covers the run, so the agent releases it alone; the due holds on the account.
  const sor = new DynamoDbSystemOfRecord();
  const ledger = new DynamoDbEscrowLedger();
  const vendorIds = Array.from({ length: VENDORS }, (_, i) => `V-B${String(i).padStart(4, '0')}`);
  await eachBounded(vendorIds, 16, async (vendorId) => {
    const prefix = String(21_000_000 + Number(vendorId.slice(3)));
    const bankAccount = `${700000000 + Number(vendorId.slice(3))}`;
    const routingNumber = `${prefix}${abaCheckDigit(prefix)}`;
    await sor.put(referenceKeys.vendor(vendorId), {
      vendorId,
      name: `Bench Vendor ${vendorId}`,
      taxId: `99-${vendorId.slice(3).padStart(7, '0')}`,
      currency: 'USD',
      bankAccount,
      routingNumber,
      status: 'ACTIVE',
      defaultGlAccount: '6300',
    });
    const account = {
      kind: 'ach',
      routingNumber,
      accountNumber: bankAccount,
      accountType: 'checking',
    } as const;
    await markPayeePaid(vendorId, account, 'P-BENCH-EARLIER', new Date().toISOString());
  });
  await new DynamoDbTrustStore().registerAgent({
    agentId: 'payment-run-agent',
    displayName: 'Payment run agent',
    tier: 'bounded',
    pacts: [
      {
        action: 'payment.release',
        perActionLimit: '100000000.00',
        dailyLimit: '100000000.00',
        currency: 'USD',
        requiredEvidence: ['action'],
      },
    ],
  });
  await ledger.fund({ operationId: 'bench-fund', accountId: ACCOUNT, amount: money('100000000.00', 'USD') });
  const now = Date.now();
  const setupStarted = performance.now();
  await eachBounded(
    Array.from({ length: PAYMENTS }, (_, i) => i),
    32,
    (i) =>
      ledger.hold({
        operationId: `bench-hold-${i}`,
        holdId: `BENCH-${i}`,
        accountId: ACCOUNT,
        payee: vendorIds[i % VENDORS] as string,
        amount: money(`${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`, 'USD'),
        reason: `Bench invoice ${i}`,
        expiresAt: new Date(now + 30 * 86_400_000),
        releaseAt: new Date(now - 86_400_000),
        initiatedBy: { kind: 'agent', id: 'bench-agent' },
        source: { runbook: 'invoice-reconciliation', executionId: `bench-${i}`, document: `INV-${i}` },
      }),
  );
  const setupMs = performance.now() - setupStarted;

  // Baseline in this run: one conditional DynamoDB write, sequential.
  const BASELINE = 300;
  const baseStarted = performance.now();
  for (let i = 0; i < BASELINE; i++)
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: { pk: `BENCH#${i}`, sk: 'BASELINE' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  const baselineMs = (performance.now() - baseStarted) / BASELINE;

  // Measure: the run, from the request to its end.
  measuring = true;
  const token = issueDevToken(stack.signingKey, 'casey.controller');
  const started = performance.now();
  const response = await fetch(`${stack.endpoints.api}/runbooks/payment-run/executions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'Idempotency-Key': `bench-run-${PAYMENTS}`,
    },
    body: JSON.stringify({ accountId: ACCOUNT }),
  });
  const { executionId } = (await response.json()) as { executionId: string };
  let view: any;
  for (;;) {
    const answer = await fetch(`${stack.endpoints.api}/executions/${executionId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    view = await answer.json();
    if (view.status !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const runMs = performance.now() - started;
  measuring = false;
  if (view.status !== 'SUCCEEDED' || view.release?.payments !== PAYMENTS)
    throw new Error(
      `The bench run did not pay every hold: ${JSON.stringify({ status: view.status, outcome: view.outcome, release: view.release })}`,
    );

  const execution = readdirSync(join(dataDir, 'executions'))
    .filter((f) => f.endsWith('.json'))
    .map(
      (f) =>
        JSON.parse(readFileSync(join(dataDir, 'executions', f), 'utf8')) as {
          name?: string;
          executionArn?: string;
          history: { type: string }[];
        },
    )
    .find((e) => (e.executionArn ?? e.name ?? '').endsWith(executionId));
  const transitions = execution?.history.filter((e) => e.type === 'StateEntered').length ?? 0;

  let requests = 0;
  let gbSeconds = 0;
  const rows: string[] = [];
  for (const [fn, entry] of [...invocations.entries()].sort()) {
    const memoryMb = catalogFunctions().find((f) => f.id === fn)?.memoryMb ?? 512;
    requests += entry.count;
    gbSeconds += (entry.ms / 1000) * (memoryMb / 1024);
    rows.push(
      `    ${fn.padEnd(24)} ${String(entry.count).padStart(3)} calls, ${(entry.ms / 1000).toFixed(2)} s, ${memoryMb} MB`,
    );
  }
  const per1000 = (count: number) => (count / PAYMENTS) * 1000;
  const components: [string, number][] = [
    ['Step Functions Standard', per1000(transitions) * price('stepFunctionsStandardPerStateTransition')],
    ['Lambda requests', per1000(requests) * price('lambdaPerRequest')],
    ['Lambda compute (arm64, local durations)', per1000(gbSeconds) * price('lambdaPerGbSecondArm64')],
    ['DynamoDB writes', per1000(dynamo.writeUnits) * price('dynamoDbOnDemandPerWriteRequestUnit')],
    ['DynamoDB reads', per1000(dynamo.readUnits) * price('dynamoDbOnDemandPerReadRequestUnit')],
    ['S3 PUT (evidence, bank file)', (per1000(s3Calls.put) / 1000) * price('s3StandardPutPer1000')],
  ];
  const total = components.reduce((sum, [, usd]) => sum + usd, 0);

  out(
    `payment run bench: ${PAYMENTS} due holds, ${VENDORS} vendors, one USD account, DynamoDB Local + s3rver`,
  );
  out(`  setup (not part of the run): ${(setupMs / 1000).toFixed(1)} s to place the holds`);
  out(
    `  run, request to SUCCEEDED: ${(runMs / 1000).toFixed(1)} s, ${(runMs / PAYMENTS).toFixed(2)} ms per payment`,
  );
  out(
    `  baseline, one conditional write: ${baselineMs.toFixed(2)} ms; run time per payment / baseline = ${(runMs / PAYMENTS / baselineMs).toFixed(2)}`,
  );
  out(
    `  DynamoDB: ${dynamo.calls} calls, ${(dynamo.writeUnits / PAYMENTS).toFixed(2)} WRU and ${(dynamo.readUnits / PAYMENTS).toFixed(2)} RRU per payment`,
  );
  out(`  state transitions: ${transitions} for the run; S3 PUTs: ${s3Calls.put}`);
  for (const row of rows) out(row);
  out(`AWS cost per 1,000 payments (list prices as of ${prices.asOf}):`);
  for (const [name, usd] of components) out(`    ${name.padEnd(40)} ${usd.toFixed(4).padStart(9)}`);
  out(`    ${'Total'.padEnd(40)} ${total.toFixed(4).padStart(9)}`);
  out(
    `  The file: ${view.release.file} (${view.release.format}, ${view.release.payments} payments, ${view.release.total} ${view.release.currency})`,
  );
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
