#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEMO_USERS, issueDevToken, loadOrCreateSigningKey } from '../local/dev-identity.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, startLocalStack } from '../local/local-stack.ts';

/** `tollgate`: the one front door for people and scripts. */
const program = new Command()
  .name('tollgate')
  .description(
    'Tollgate: finance runbooks for AI agents with earned authority, escrow and verifiable evidence.',
  )
  .showHelpAfterError('(run with --help for usage)');

program
  .command('local')
  .description(
    'Run the whole stack on this machine (loopback only): API, runbook engine, DynamoDB Local, S3. Ctrl-C stops it.',
  )
  .option(
    '--port <port>',
    'API port on 127.0.0.1; DynamoDB, S3 and Step Functions use the next three',
    parsePort,
    DEFAULT_PORT,
  )
  .option('--data-dir <dir>', 'folder that keeps all local data across restarts', DEFAULT_DATA_DIR)
  .action(async (options: { port: number; dataDir: string }) => {
    const stack = await startLocalStack({ port: options.port, dataDir: resolve(options.dataDir) });
    const { endpoints } = stack;
    process.stdout.write(
      [
        'Tollgate local stack is up (loopback only).',
        `  API             ${endpoints.api}`,
        `  Step Functions  ${endpoints.stepFunctions}   (AWS_ENDPOINT_URL_SFN)`,
        `  DynamoDB Local  ${endpoints.dynamodb}   (AWS_ENDPOINT_URL_DYNAMODB)`,
        `  S3 (s3rver)     ${endpoints.s3}   (AWS_ENDPOINT_URL_S3; no Object Lock locally)`,
        `  Data folder     ${stack.dataDir}`,
        `  Runbooks        ${Object.keys(stack.runtime.stateMachines).join(', ')}`,
        `  Demo users      ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`,
        '',
        'Try it:',
        `  TOKEN=$(npx tollgate dev-token --user gray.admin)`,
        `  curl -s -X POST ${endpoints.api}/runbooks/deployment-check/executions -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: check-0001" -H "Content-Type: application/json" -d '{}'`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const shutdown = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping the local stack…\n`);
      stack.stop().then(
        () => {
          process.stdout.write('Stopped. Data kept in the data folder.\n');
          process.exit(0);
        },
        (error: unknown) => fail(error),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('dev-token')
  .description('Print a bearer token for the local API, signed by the local key in the data folder.')
  .requiredOption('--user <name>', `demo user: ${DEMO_USERS.map((u) => u.username).join(', ')}`)
  .option('--role <role>', "the user's role (checked against the demo directory)")
  .option('--data-dir <dir>', 'data folder of the local stack', DEFAULT_DATA_DIR)
  .action((options: { user: string; role?: string; dataDir: string }) => {
    const key = loadOrCreateSigningKey(resolve(options.dataDir));
    process.stdout.write(`${issueDevToken(key, options.user, options.role)}\n`);
  });

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_532) {
    throw new InvalidArgumentError('give a port number between 1 and 65532 (0 picks free ports).');
  }
  return port;
}

function fail(error: unknown): never {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tollgate: ${code ? `[${code}] ` : ''}${message}\n`);
  process.exit(2);
}

program.parseAsync(process.argv).catch(fail);
