import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { ROUTES } from '../lib/catalog.ts';
import { resolveStageConfig, StageConfigError } from '../lib/config/stage-config.ts';
import { WorkRoomStack } from '../lib/constructs/work-room-site.ts';
import { nagSummaryLine } from '../lib/security-posture.ts';
import { TollgateStack } from '../lib/tollgate-stack.ts';

/**
 * The CDK app: one `Tollgate-<stage>` stack per stage in the `stages` context of cdk.json
 * (and its `Tollgate-<stage>-work-room` stack for the web page),
 * or only the one named with `-c stage=NAME`. The AwsSolutions, NIST 800-53 R5, PCI DSS 3.2.1 and
 * Serverless checks run on every synth.
 */
const app = new App();
const contextStages: unknown = app.node.tryGetContext('stages');
const only: unknown = app.node.tryGetContext('stage');
const stageNames =
  typeof only === 'string' && only !== ''
    ? [only]
    : typeof contextStages === 'object' && contextStages !== null
      ? Object.keys(contextStages)
      : [];

if (stageNames.length === 0) {
  fail('No stage to synthesize: add context "stages" in cdk.json or pass -c stage=NAME.');
}

for (const stageName of stageNames) {
  try {
    const config = resolveStageConfig(stageName, contextStages);
    const env = {
      account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: config.region ?? process.env.CDK_DEFAULT_REGION,
    };
    const stage = new TollgateStack(app, `Tollgate-${stageName}`, {
      config,
      description: `Tollgate (${stageName}): finance runbooks for AI agents with earned authority, escrow and evidence.`,
      env,
    });
    // The work room's page, beside the stage in its own stack. CloudFront web ACLs live in
    // us-east-1: a stage elsewhere names one made there with -c workRoomWebAclArn=ARN.
    const webAclArn: unknown = app.node.tryGetContext('workRoomWebAclArn');
    new WorkRoomStack(app, `Tollgate-${stageName}-work-room`, {
      description: `Tollgate (${stageName}): the work room web page.`,
      env,
      stageName,
      userPool: stage.api.userPool,
      api: stage.api.api,
      apiPaths: ROUTES.map((route) => route.path.split('/')[1] as string),
      logRetentionDays: config.logRetentionDays,
      ...(config.federation ? { existingDomain: config.federation.domainPrefix } : {}),
      ...(typeof webAclArn === 'string' && webAclArn !== '' ? { webAclArn } : {}),
    });
  } catch (error) {
    if (error instanceof StageConfigError) fail(`Tollgate configuration [${error.code}]: ${error.message}`);
    throw error;
  }
}

Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new NIST80053R5Checks(app),
  new PCIDSS321Checks(app),
  new ServerlessChecks(app),
);

// An open finding fails the synth inside app.synth(); past it, one line says what the packs found.
const assembly = app.synth();
console.error(nagSummaryLine(assembly.stacks.map((stack) => stack.template)));

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
