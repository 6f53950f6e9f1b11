import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  AwsSolutionsChecks,
  type NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { nagSummaryLine } from '../../lib/security-posture.ts';
import { synthesizeShippedStages } from './synthesize.ts';

const { app } = synthesizeShippedStages();

function findings(scope: App | Stack, pack: NagPack = new AwsSolutionsChecks()): string[] {
  const report = pack.validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
  );
}

const PACKS = [
  { name: 'AwsSolutions', pack: () => new AwsSolutionsChecks() },
  { name: 'NIST 800-53 R5', pack: () => new NIST80053R5Checks() },
  { name: 'PCI DSS 3.2.1', pack: () => new PCIDSS321Checks() },
  { name: 'Serverless', pack: () => new ServerlessChecks() },
];

describe.each(PACKS)('$name checks', ({ pack }) => {
  it('leave no unacknowledged finding in any shipped stage (dev public, prod isolated)', () => {
    // Act
    const unacknowledged = findings(app, pack());

    // Assess
    expect(unacknowledged).toEqual([]);
  });
});

describe('AwsSolutions checks', () => {
  it('report findings on a stack that breaks the rules, so the check above can fail', () => {
    // Prepare
    const throwaway = new App();
    const stack = new Stack(throwaway, 'CarelessStack');
    new Bucket(stack, 'UnloggedBucket');

    // Act
    const reported = findings(throwaway);

    // Assess
    expect(reported).toContain('AwsSolutions-S1 at CarelessStack/UnloggedBucket/Resource');
    expect(reported).toContain('AwsSolutions-S10 at CarelessStack/UnloggedBucket/Resource');
  });

  it('honour an acknowledgement only for the finding it names', () => {
    // Prepare
    const throwaway = new App();
    const stack = new Stack(throwaway, 'CarelessStack');
    const bucket = new Bucket(stack, 'UnloggedBucket');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'Throwaway bucket in a test.' });

    // Act
    const reported = findings(throwaway);

    // Assess
    expect(reported).not.toContain('AwsSolutions-S1 at CarelessStack/UnloggedBucket/Resource');
    expect(reported).toContain('AwsSolutions-S10 at CarelessStack/UnloggedBucket/Resource');
  });
});

describe('the other packs', () => {
  it('report findings on a stack that breaks their rules, so the checks above can fail', () => {
    // Prepare
    const throwaway = new App();
    const stack = new Stack(throwaway, 'CarelessStack');
    new Bucket(stack, 'UnreplicatedBucket');
    new LambdaFunction(stack, 'AsyncHandler', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => ({});'),
    });

    // Act
    const nist = findings(throwaway, new NIST80053R5Checks());
    const pci = findings(throwaway, new PCIDSS321Checks());
    const serverless = findings(throwaway, new ServerlessChecks());

    // Assess
    expect(nist).toContain(
      'NIST.800.53.R5-S3BucketReplicationEnabled at CarelessStack/UnreplicatedBucket/Resource',
    );
    expect(pci).toContain(
      'PCI.DSS.321-S3BucketReplicationEnabled at CarelessStack/UnreplicatedBucket/Resource',
    );
    expect(serverless).toContain('Serverless-LambdaDLQ at CarelessStack/AsyncHandler/Resource');
  });
});

describe('the synth summary', () => {
  it('counts the acknowledged findings of the shipped stages from their templates', () => {
    // Act
    const line = nagSummaryLine(app.synth().stacks.map((stack) => stack.template));

    // Assess
    const [, acknowledged, resources] = /; (\d+) acknowledged on (\d+) resources/.exec(line) ?? [];
    expect(line).toMatch(
      /^cdk-nag: AwsSolutions, NIST 800-53 R5, PCI DSS 3\.2\.1, Serverless ran on \d+ stacks: no open finding;/,
    );
    expect(Number(acknowledged)).toBeGreaterThan(Number(resources));
    expect(Number(resources)).toBeGreaterThan(0);
  });

  it('is reached only when no finding is open: a synth with an open finding fails first', () => {
    // Prepare
    const throwaway = new App();
    new Bucket(new Stack(throwaway, 'CarelessStack'), 'UnloggedBucket');
    Validations.of(throwaway).addPlugins(new AwsSolutionsChecks(throwaway));

    // Act and assess
    expect(() => throwaway.synth()).toThrow(/[Vv]alidation/);
  });
});
