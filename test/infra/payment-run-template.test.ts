import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { runbookVersionEnv } from '#platform/aws/resource-env.ts';
import { actionsOf as actionsOfIn, synthesizeShippedStages, type TemplateResources } from './synthesize.ts';

const { dev } = synthesizeShippedStages();
const template = dev.template;

type Resources = TemplateResources;
const actionsOf = (functionId: string) => actionsOfIn(template, functionId);

describe('payment run in the template', () => {
  it('starts runs each business day at 06:00 UTC from its own scheduler, with retries and dead letters', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 ? * MON-FRI *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaymentRunSchedulerHandler'), 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('lets only the release step write payment files, and no payment function delete one or touch escrow it does not need', () => {
    // Evidence writers put evidence objects too; only the release step may put under outbound/.
    const outbound = Object.entries(template.findResources('AWS::IAM::Policy') as Resources)
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('outbound/*'))
      .map(([logicalId]) => logicalId.replace(/Role.*$/, ''));
    expect([...new Set(outbound)]).toEqual(['PaymentReleaseRun']);
    for (const id of [
      'PaymentProposeRun',
      'PaymentDecideRelease',
      'PaymentReleaseRun',
      'PaymentCloseRun',
      'PaymentRunScheduler',
    ])
      expect(actionsOf(id).filter((a) => /^s3:Delete|^s3:\*$|^dynamodb:\*$/.test(a))).toEqual([]);
    expect(actionsOf('PaymentRunScheduler').filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  it('tells the bank inbox the payment-run version it stamps on evidence, without letting it start or answer runs', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const inbox = Object.entries(functions).find(([logicalId]) => logicalId.startsWith('PaymentBankInbox'));
    expect(inbox?.[1].Properties.Environment.Variables[runbookVersionEnv('payment-run')]).toMatch(
      /^[a-f0-9]{64}$/,
    );
    // It starts bank reconciliations of the statements it finds, and touches no payment run.
    expect(actionsOf('PaymentBankInbox').filter((a) => a.startsWith('states:'))).toEqual([
      'states:StartExecution',
    ]);
    const policies = JSON.stringify(
      Object.entries(template.findResources('AWS::IAM::Policy') as Resources).filter(([id]) =>
        id.startsWith('PaymentBankInbox'),
      ),
    );
    expect(policies).toContain('BankReconciliationRunbook');
    expect(policies).not.toContain('PaymentRunRunbook');
  });
});
