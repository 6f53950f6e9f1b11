#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AUDITOR_QUERIES } from '#platform/evidence/core/auditor-queries.ts';
import { DEMO_USERS, issueDevToken, loadOrCreateSigningKey } from '../local/dev-identity.ts';
import {
  applyLocalEnvironment,
  DEFAULT_DATA_DIR,
  DEFAULT_PORT,
  readRuntime,
  startLocalStack,
} from '../local/local-stack.ts';
import { formatSimulateSummary, simulateLocalBank } from './commands/bank-simulate.ts';
import { DEFAULT_SAMPLES_DIR, demoExitCode, formatSummary, runDemo } from './commands/demo.ts';
import { useDeployedStack } from './commands/deployed-stack.ts';
import { formatIntake, intakeFiles, progressBar } from './commands/intake.ts';
import { decideRelease, formatHistory, proposeRelease, runbookHistory } from './commands/runbook.ts';
import { formatRuns, listRuns } from './commands/runs.ts';
import { readSnapshot, seed } from './commands/seed.ts';
import { fetchTrustPacket, formatTrustPacket } from './commands/trust-packet.ts';
import {
  defaultExportsDir,
  evidenceSource,
  runExport,
  runReconcile,
  runVerify,
  stackEvidenceSettings,
} from './evidence-commands.ts';
import { evidenceCopySource, progressEvery, withProgress } from './evidence-verify-output.ts';

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
        `  Work room       ${endpoints.api}/   (the web page; sign in as a demo user)`,
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

program
  .command('seed')
  .description(
    'Load a system-of-record snapshot (vendors, POs, receipts, invoice history, agents, funding accounts, policy) into the running local stack, or a deployed one with --stack.',
  )
  .argument('<erp.json>', 'snapshot file, in the format of the AP sample set')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .option('--stack <name>', 'a deployed Tollgate stack (AWS credentials from the usual chain)')
  .action(async (file: string, options: { dataDir: string; stack?: string }) => {
    const snapshot = readSnapshot(resolve(file));
    if (options.stack) {
      await useDeployedStack(options.stack);
    } else {
      const runtime = readRuntime(resolve(options.dataDir));
      if (!runtime) {
        throw Object.assign(
          new Error(
            `No local stack runs on ${resolve(options.dataDir)}. Start it with \`npm run local\` (or pass --stack NAME).`,
          ),
          {
            code: 'NOT_RUNNING',
          },
        );
      }
      applyLocalEnvironment(runtime);
    }
    const counts = await seed(snapshot);
    for (const [what, c] of Object.entries(counts)) {
      process.stdout.write(
        `${what.padEnd(18)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged\n`,
      );
    }
  });

program
  .command('demo')
  .description(
    'Run the AP sample set end to end on a fresh local stack: seed, submit every invoice, decide the approvals, verify the evidence, print a summary.',
  )
  .option('--data-dir <dir>', 'data folder for the demo stack (default: a new temporary folder)')
  .option('--samples <dir>', 'AP sample set folder (erp.json, cases.json, invoices/)', DEFAULT_SAMPLES_DIR)
  .action(async (options: { dataDir?: string; samples: string }) => {
    const summary = await runDemo({
      samplesDir: resolve(options.samples),
      ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
      progress: process.stderr,
    });
    process.stdout.write(`${formatSummary(summary).join('\n')}\n`);
    process.exitCode = demoExitCode(summary);
  });

program
  .command('runs')
  .description(
    'List runbook executions on the running local stack, newest first (GET /executions as a demo user).',
  )
  .option('--runbook <name>', 'only this runbook')
  .option('--status <status>', 'RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, NOT_STARTED')
  .option('--requested-by <username>', 'only runs this user started')
  .option('--from <date>', 'created on or after, YYYY-MM-DD or a UTC time')
  .option('--to <date>', 'created on or before, YYYY-MM-DD or a UTC time')
  .option('--limit <n>', 'at most this many (1-100)', '20')
  .option('--next-token <token>', 'the next page, as printed after the last one')
  .option('--user <name>', 'demo user to ask as (an auditor sees every run)', 'finley.auditor')
  .option('--json', 'print the API answer as JSON')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (options: {
      runbook?: string;
      status?: string;
      requestedBy?: string;
      from?: string;
      to?: string;
      limit: string;
      nextToken?: string;
      user: string;
      json?: boolean;
      dataDir: string;
    }) => {
      const result = await listRuns({ ...options, dataDir: resolve(options.dataDir) });
      process.stdout.write(
        options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatRuns(result).join('\n')}\n`,
      );
    },
  );

program
  .command('intake')
  .description(
    'Submit invoice files (PDF, Factur-X PDF, EN 16931 XML, structured JSON, text) to the invoice runbook on the running local stack. Each is keyed by its SHA-256: the same file twice, under any name, is one run. A directory is read whole, with a progress bar.',
  )
  .argument('<paths...>', 'files or directories of invoices')
  .option('--user <name>', 'demo user who submits them (an AP clerk)', 'avery.clerk')
  .option('--concurrency <n>', 'files submitted at once', parseCount, 4)
  .option('--json', 'print the results as JSON')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (
      paths: string[],
      options: { user: string; concurrency: number; json?: boolean; dataDir: string },
    ) => {
      const bar = process.stderr.isTTY;
      const results = await intakeFiles({
        dataDir: resolve(options.dataDir),
        user: options.user,
        paths: paths.map((path) => resolve(path)),
        concurrency: options.concurrency,
        onProgress: (done, total) => {
          if (total < 2) return;
          // A bar redrawn in place on a terminal; one line per tenth elsewhere (logs, CI).
          if (bar) process.stderr.write(`\rintake ${progressBar(done, total)}${done === total ? '\n' : ''}`);
          else if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0)
            process.stderr.write(`intake ${progressBar(done, total)}\n`);
        },
      });
      process.stdout.write(
        options.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatIntake(results).join('\n')}\n`,
      );
      if (results.some((r) => r.outcome === 'REFUSED')) process.exitCode = 1;
    },
  );

program
  .command('trust-packet')
  .description(
    "An agent's trust packet from the running local stack: pacts, tier history with sign-offs, score, outcomes, rates, escrow exposure and the evidence behind each figure.",
  )
  .argument('<agentId>', 'the agent, e.g. invoice-review-agent')
  .option('--markdown', 'print the readable page instead of JSON')
  .option('--html', 'print the readable page as HTML (one file, nothing loaded from elsewhere)')
  .option('--user <name>', 'demo user to ask as (auditor, controller or platform admin)', 'finley.auditor')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (
      agentId: string,
      options: { markdown?: boolean; html?: boolean; user: string; dataDir: string },
    ) => {
      if (options.markdown && options.html)
        throw new InvalidArgumentError('give --markdown or --html, not both.');
      const packet = await fetchTrustPacket({
        agentId,
        user: options.user,
        dataDir: resolve(options.dataDir),
      });
      process.stdout.write(
        formatTrustPacket(packet, options.html ? 'html' : options.markdown ? 'markdown' : 'json'),
      );
    },
  );

program
  .command('eval')
  .description(
    'Run a labelled invoice set through the real runbook on a fresh local stack with its agents in shadow, and report field accuracy, decision accuracy, false auto-approvals, automation rate and cost per invoice.',
  )
  .argument('<labelled-dir>', 'a folder in the format of the AP sample set (erp.json, cases.json, invoices/)')
  .option('--json', 'print the report as JSON (attach it to a runbook promotion with --report)')
  .option('--out <file>', 'also write the JSON report to this file')
  .option('--data-dir <dir>', 'data folder for the eval stack (default: a new temporary folder)')
  .action(async (dir: string, options: { json?: boolean; out?: string; dataDir?: string }) => {
    // Loaded here: the stack must set the functions' environment before their modules load.
    const { formatEval, runEval } = await import('./commands/eval.ts');
    const report = await runEval({
      samplesDir: resolve(dir),
      ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    if (options.out) writeFileSync(resolve(options.out), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatEval(report).join('\n'),
    );
  });

program
  .command('replay')
  .description(
    'Re-decide the invoice decisions of a period from their recorded evidence under another AP policy, and list every decision that would change (blocked or released) with amounts per currency.',
  )
  .requiredOption(
    '--policy <file>',
    'the new policy, in the format of statemachines/policies/ap-invoice.json',
  )
  .requiredOption('--from <date>', 'first decision date, YYYY-MM-DD')
  .requiredOption('--to <date>', 'last decision date, YYYY-MM-DD')
  .option('--json', 'print the report as JSON')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .option('--bucket <name>', 'evidence bucket of a deployed stack (with --stack)')
  .option('--stack <name>', 'deployed Tollgate stack whose system of record to read (with --bucket)')
  .action(
    async (options: {
      policy: string;
      from: string;
      to: string;
      json?: boolean;
      dataDir: string;
      bucket?: string;
      stack?: string;
    }) => {
      const { runReplay } = await import('./commands/replay.ts');
      const { formatReplay } = await import('#platform/releases/core/policy-replay.ts');
      const report = await runReplay({
        policyFile: options.policy,
        from: options.from,
        to: options.to,
        dataDir: options.dataDir,
        ...(options.bucket ? { bucket: options.bucket } : {}),
        ...(options.stack ? { stack: options.stack } : {}),
      });
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReplay(report).join('\n'),
      );
    },
  );

const runbook = program
  .command('runbook')
  .description(
    'The control room: which runbook version is live in dev, uat and prod, and change requests to promote or roll back one (on the running local stack).',
  );

runbook
  .command('history')
  .description(
    'Which version is live in each stage, since when, approved by whom; every change request with its diff.',
  )
  .argument('<runbook>', 'e.g. invoice-reconciliation')
  .option('--user <name>', 'demo user to ask as (auditor, controller or platform admin)', 'finley.auditor')
  .option('--json', 'print the API answer as JSON')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(async (name: string, options: { user: string; json?: boolean; dataDir: string }) => {
    const view = await runbookHistory(resolve(options.dataDir), options.user, name);
    process.stdout.write(
      options.json ? `${JSON.stringify(view, null, 2)}\n` : `${formatHistory(view).join('\n')}\n`,
    );
  });

runbook
  .command('promote')
  .description(
    "Propose a runbook version for a stage: this checkout's files (or --version, one proposed before), with an eval or replay report; someone else approves it.",
  )
  .argument('<runbook>', 'e.g. invoice-reconciliation')
  .requiredOption('--to <stage>', 'dev, uat or prod (prod only a version that passed uat)')
  .requiredOption('--reason <text>', 'why this change')
  .option('--version <hash>', 'a version proposed before (default: the files of this checkout)')
  .option('--report <file>', 'a report from tollgate eval or tollgate replay --json')
  .option('--user <name>', 'demo platform admin', 'gray.admin')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (
      name: string,
      options: {
        to: string;
        reason: string;
        version?: string;
        report?: string;
        user: string;
        dataDir: string;
      },
    ) => {
      const change = await proposeRelease({
        dataDir: resolve(options.dataDir),
        user: options.user,
        runbook: name,
        stage: options.to,
        kind: 'promotion',
        reason: options.reason,
        ...(options.version ? { version: options.version } : {}),
        ...(options.report ? { reportFile: resolve(options.report) } : {}),
      });
      process.stdout.write(`${JSON.stringify(change, null, 2)}\n`);
    },
  );

runbook
  .command('rollback')
  .description('Propose rolling a stage back to a version approved into it before; approved like any change.')
  .argument('<runbook>', 'e.g. invoice-reconciliation')
  .requiredOption('--stage <stage>', 'dev, uat or prod')
  .requiredOption('--to-version <hash>', 'the earlier approved version (tollgate runbook history)')
  .requiredOption('--reason <text>', 'why roll back')
  .option('--report <file>', 'a report from tollgate eval or tollgate replay --json')
  .option('--user <name>', 'demo platform admin', 'gray.admin')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (
      name: string,
      options: {
        stage: string;
        toVersion: string;
        reason: string;
        report?: string;
        user: string;
        dataDir: string;
      },
    ) => {
      const change = await proposeRelease({
        dataDir: resolve(options.dataDir),
        user: options.user,
        runbook: name,
        stage: options.stage,
        kind: 'rollback',
        version: options.toVersion,
        reason: options.reason,
        ...(options.report ? { reportFile: resolve(options.report) } : {}),
      });
      process.stdout.write(`${JSON.stringify(change, null, 2)}\n`);
    },
  );

runbook
  .command('decide')
  .description('Approve (the version goes live in its stage) or refuse a change request; never its author.')
  .argument('<runbook>', 'e.g. invoice-reconciliation')
  .argument('<changeId>', 'the change request id')
  .option('--approve', 'approve it')
  .option('--reject', 'refuse it')
  .requiredOption('--comment <text>', 'why')
  .option('--user <name>', 'demo controller or platform admin', 'casey.controller')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (
      name: string,
      changeId: string,
      options: { approve?: boolean; reject?: boolean; comment: string; user: string; dataDir: string },
    ) => {
      if (options.approve === options.reject) throw new InvalidArgumentError('give --approve or --reject.');
      const decided = await decideRelease({
        dataDir: resolve(options.dataDir),
        user: options.user,
        runbook: name,
        changeId,
        decision: options.approve ? 'APPROVE' : 'REJECT',
        comment: options.comment,
      });
      process.stdout.write(`${JSON.stringify(decided, null, 2)}\n`);
    },
  );

const evidence = program
  .command('evidence')
  .description('Evidence for auditors: verify the evidence bucket and run the standard exports.');

evidence
  .command('verify')
  .description(
    'Check every digest signature and link, re-hash every object, recompute every record hash and chain link; one line per object.',
  )
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .option('--bucket <name>', 'verify this evidence bucket in AWS (credentials from the usual AWS chain)')
  .option(
    '--stack <name>',
    "a deployed stage (e.g. Tollgate-prod): its bucket, signing key and work table from the stack's outputs, all checked",
  )
  .option(
    '--dir <folder>',
    'verify a downloaded copy offline (what `aws s3 cp --recursive s3://BUCKET FOLDER` wrote)',
  )
  .option('--public-key <file>', 'trust only this digest-signing public key (PEM)')
  .option('--json', 'print a machine-readable summary (counts, INVALID objects, newest digest, signing keys)')
  .option(
    '--progress [objects]',
    'progress on stderr every N objects (default 1000; on by default when stderr is a terminal)',
  )
  .option(
    '--work-table <name>',
    "with --bucket: the stage's work table, whose chain heads every chain in the bucket must end at",
  )
  .option(
    '--signing-key <arn>',
    "with --bucket: the stack's EvidenceSigningKeyArn output; its public key is read from KMS and pinned (locally the key file is pinned)",
  )
  .option('--require-digested', 'fail when any object was written after the newest digest')
  .action(
    async (options: {
      stack?: string;
      signingKey?: string;
      dataDir: string;
      bucket?: string;
      publicKey?: string;
      workTable?: string;
      requireDigested?: boolean;
      dir?: string;
      json?: boolean;
      progress?: boolean | string;
    }) => {
      if (options.dir && options.bucket) throw new InvalidArgumentError('give --dir or --bucket, not both.');
      const terminal = process.stderr.isTTY === true;
      const every = progressEvery(options.progress, terminal);
      if (options.stack && (options.bucket || options.dir))
        throw new InvalidArgumentError('give --stack, --bucket or --dir, one of them.');
      const checked = options.dir
        ? await evidenceCopySource(options.dir)
        : evidenceSource(
            options.stack ? { ...options, ...(await stackEvidenceSettings(options.stack)) } : options,
          );
      const progress = every
        ? withProgress(checked, { every, terminal, write: (text) => process.stderr.write(text) })
        : undefined;
      const code = await runVerify(
        progress?.source ?? checked,
        {
          ...(options.publicKey ? { publicKeyFile: options.publicKey } : {}),
          ...(options.requireDigested ? { requireDigested: true } : {}),
          ...(options.json ? { json: true } : {}),
        },
        (line) => process.stdout.write(`${line}\n`),
      );
      progress?.done();
      process.exitCode = code;
    },
  );

evidence
  .command('reconcile')
  .description(
    'Re-write every claimed evidence record whose object never reached the bucket, from its claim in the work table; exit 1 if one cannot be restored.',
  )
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .option('--bucket <name>', 'the evidence bucket in AWS (credentials from the usual AWS chain)')
  .option('--work-table <name>', "with --bucket: the stage's work table, which holds the claims")
  .action(async (options: { dataDir: string; bucket?: string; workTable?: string }) => {
    process.exitCode = await runReconcile(evidenceSource(options), (line) =>
      process.stdout.write(`${line}\n`),
    );
  });

evidence
  .command('export')
  .description(
    `Run a standard auditor query and write the result with its manifest. Queries: ${AUDITOR_QUERIES.map((q) => q.name).join(', ')}.`,
  )
  .argument('<query>', AUDITOR_QUERIES.map((q) => `${q.name}: ${q.question}`).join(' | '))
  .requiredOption('--from <date>', 'first date, YYYY-MM-DD (see --date-by)')
  .requiredOption('--to <date>', 'last date, YYYY-MM-DD (see --date-by)')
  .option(
    '--date-by <basis>',
    "record: the date the record was filed (the run's; a decision's date for decisions); invoice: the invoice's own date",
    'record',
  )
  .option('--min-amount <amount>', 'amounts strictly above this (ap-matches-over-amount)')
  .option('--format <format>', 'csv or json', 'csv')
  .option(
    '--out <dir>',
    'folder for the result and its manifest (default: $TOLLGATE_EXPORTS_DIR, else ./evidence-exports)',
    defaultExportsDir(),
  )
  .option('--ran-by <name>', 'who runs the export, for the manifest (default: the OS user)')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .option('--bucket <name>', 'export from this evidence bucket in AWS')
  .option('--engine <engine>', 'duckdb (downloads the digested records) or athena (with --bucket)', 'duckdb')
  .option('--workgroup <name>', 'Athena workgroup (engine athena)')
  .option('--database <name>', 'Glue database (engine athena)')
  .action(
    async (
      query: string,
      options: {
        from: string;
        to: string;
        dateBy: string;
        minAmount?: string;
        format: string;
        out: string;
        ranBy?: string;
        dataDir: string;
        bucket?: string;
        engine: string;
        workgroup?: string;
        database?: string;
      },
    ) => {
      if (options.format !== 'csv' && options.format !== 'json')
        throw new InvalidArgumentError('--format is csv or json.');
      if (options.engine !== 'duckdb' && options.engine !== 'athena')
        throw new InvalidArgumentError('--engine is duckdb or athena.');
      if (options.dateBy !== 'record' && options.dateBy !== 'invoice')
        throw new InvalidArgumentError('--date-by is record or invoice.');
      const result = await runExport(evidenceSource(options), query, {
        from: options.from,
        to: options.to,
        dateBy: options.dateBy,
        ...(options.minAmount !== undefined ? { minAmount: options.minAmount } : {}),
        format: options.format,
        outDir: resolve(options.out),
        ...(options.ranBy ? { ranBy: options.ranBy } : {}),
        engine: options.engine,
        ...(options.workgroup && options.database
          ? { athena: { workgroup: options.workgroup, database: options.database } }
          : {}),
      });
      process.stdout.write(
        `${JSON.stringify({ output: result.outputFile, manifest: result.manifestFile, rowCount: result.manifest.rowCount, amountTotals: result.manifest.amountTotals, sourceComplete: result.manifest.sourceComplete }, null, 2)}\n`,
      );
    },
  );

const bank = program
  .command('bank')
  .description('The simulated bank of the local stack: answers payment files as a bank would.');

bank
  .command('simulate')
  .description(
    'Answer the outbound payment files not answered yet: a pain.002 status report per file and a camt.053 statement per funding account and currency, written to inbound/.',
  )
  .option(
    '--reject <endToEndId...>',
    'reject these payments; END_TO_END_ID or END_TO_END_ID:REASON (ISO code)',
  )
  .option('--reject-count <n>', 'reject the first N payments not answered yet', parseCount, 0)
  .option('--reason <code>', 'ISO status reason for rejections that name none', 'AC04')
  .option('--stray-debit <amount>', 'also book a debit no payment explains, e.g. 12.34')
  .option(
    '--credits <file>',
    'JSON list of customer credits {payerName, amount, currency, reference, bookingDate}',
  )
  .option('--opening-balance <amount>', 'opening balance of an account with no earlier statement', '0')
  .option('--json', 'print the summary as JSON')
  .option('--data-dir <dir>', 'data folder of the running local stack', DEFAULT_DATA_DIR)
  .action(
    async (options: {
      reject?: string[];
      rejectCount: number;
      reason: string;
      strayDebit?: string;
      credits?: string;
      openingBalance: string;
      json?: boolean;
      dataDir: string;
    }) => {
      const summary = await simulateLocalBank({
        dataDir: resolve(options.dataDir),
        rejectCount: options.rejectCount,
        rejectReason: options.reason,
        openingBalance: options.openingBalance,
        ...(options.reject ? { reject: options.reject } : {}),
        ...(options.strayDebit !== undefined ? { strayDebit: options.strayDebit } : {}),
        ...(options.credits !== undefined ? { creditsFile: resolve(options.credits) } : {}),
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `${formatSimulateSummary(summary).join('\n')}\n`,
      );
    },
  );

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count)) {
    throw new InvalidArgumentError('give a whole number of payments, 0 or more.');
  }
  return count;
}

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
