import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthesizeShippedStages } from './synthesize.ts';

const { app } = synthesizeShippedStages();

function findings(scope: App | Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
  );
}

describe('AwsSolutions checks', () => {
  it('leave no unacknowledged finding in any shipped stage', () => {
    // Act
    const unacknowledged = findings(app);

    // Assess
    expect(unacknowledged).toEqual([]);
  });

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
