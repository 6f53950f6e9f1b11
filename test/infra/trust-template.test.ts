import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TRUST_NOTIFICATIONS_TOPIC_ENV } from '#platform/aws/resource-env.ts';
import { actionsOf as actionsOfIn, synthesizeShippedStages, type TemplateResources } from './synthesize.ts';

const { dev } = synthesizeShippedStages();
const template = dev.template;

type Resources = TemplateResources;
const actionsOf = (functionId: string) => actionsOfIn(template, functionId);

describe('the trust loop in the template', () => {
  it('lets only the functions that can demote an agent publish to the alarm topic, and tells them where', () => {
    // Prepare
    const publishers = Object.entries(template.findResources('AWS::IAM::Policy') as Resources)
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('sns:Publish'))
      .map(([logicalId]) => logicalId.replace(/Handler.*$|Role.*$/, ''));

    // Assess
    // ApprovalBacklogCheck finishes decisions a crashed request left, which records the agent's outcome too.
    expect([...new Set(publishers)].sort()).toEqual([
      'ApprovalBacklogCheck',
      'DecideApproval',
      'FileDispute',
      'ReportAgentIncident',
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [TRUST_NOTIFICATIONS_TOPIC_ENV]: { Ref: Match.stringLikeRegexp('AlarmTopic') },
        }),
      },
    });
  });

  it('gives promotion and trust-packet functions no more than they need', () => {
    // Assess
    expect(actionsOf('GetTrustPacket').some((a) => /PutItem|UpdateItem|DeleteItem|s3:Put/.test(a))).toBe(
      false,
    );
    expect(actionsOf('ProposeAgentPromotion')).not.toContain('sns:Publish');
    expect(actionsOf('DecideAgentPromotion')).not.toContain('states:SendTaskSuccess');
  });
});
