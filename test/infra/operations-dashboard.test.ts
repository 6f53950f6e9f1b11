import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalogRunbooks } from '../../lib/catalog.ts';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { TollgateStack } from '../../lib/tollgate-stack.ts';
import { shippedContext, synthesizeShippedStages } from './synthesize.ts';

const { dev } = synthesizeShippedStages();
const template = dev.template;

type Resources = Record<string, { Properties: Record<string, unknown> }>;

function only(type: string): [string, Record<string, unknown>] {
  const found = Object.entries(template.findResources(type) as Resources);
  expect(found).toHaveLength(1);
  const [logicalId, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return [logicalId, resource.Properties];
}

/** The dashboard body as the text CloudFormation assembles from its Fn::Join parts. */
function dashboardBody(): string {
  const [, properties] = only('AWS::CloudWatch::Dashboard');
  const body = properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

function topicRef(): { Ref: string } {
  return { Ref: only('AWS::SNS::Topic')[0] };
}

describe('operations dashboard', () => {
  it('graphs the business metrics the handlers publish, in namespace Tollgate for this stage', () => {
    // Act
    const body = dashboardBody();

    // Assess
    for (const name of [
      'InvoicesDecided',
      'AutoApproved',
      'CycleTime',
      'ModelInputTokens',
      'ModelOutputTokens',
      'ModelCostMicroUsd',
      'ModelThrottles',
      'ApprovalsPending',
      'ApprovalsPastDeadline',
      'VendorReplyTime',
    ]) {
      expect(body, name).toContain(`"Tollgate","${name}","service","tollgate","stage","dev"`);
    }
    expect(body).toContain('"expression":"100 * autoApproved / decided"');
    expect(body).toContain('"stat":"p50"');
    expect(body).toContain('"stat":"p95"');
    expect(body).toContain(`SEARCH('{Tollgate,reasonCode,service,stage} MetricName=\\"ExceptionsByReason\\"`);
    expect(body).toContain('"Tollgate","ApprovalsDecided","decision","APPROVE","role","controller"');
  });

  it('graphs failed executions of every runbook and errors and throttles of every function', () => {
    // Act
    const body = dashboardBody();

    // Assess
    expect(body.match(/"AWS\/States","ExecutionsFailed"/g)).toHaveLength(catalogRunbooks().length);
    expect(body.match(/"AWS\/Lambda","Errors"/g)).toHaveLength(dev.stack.functions.size);
    expect(body.match(/"AWS\/Lambda","Throttles"/g)).toHaveLength(dev.stack.functions.size);
  });
});

describe('operations alarms', () => {
  it('alarm on one failed execution in 5 minutes, for every runbook, to the alarm topic', () => {
    // Act
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' },
    });

    // Assess
    expect(Object.keys(alarms)).toHaveLength(catalogRunbooks().length);
    for (const { Properties } of Object.values(alarms) as Resources[string][]) {
      expect(Properties).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicRef()],
      });
    }
  });

  it('alarm when one approval is past its deadline, read once per backlog check', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tollgate',
      MetricName: 'ApprovalsPastDeadline',
      Dimensions: Match.arrayWith([{ Name: 'stage', Value: 'dev' }]),
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef()],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApprovalBacklogCheckHandler'), 'Arn'] },
        }),
      ],
    });
  });

  it('alarm on five throttled model calls in 5 minutes', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tollgate',
      MetricName: 'ModelThrottles',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef()],
    });
  });

  it('send to a topic under its own rotating key that refuses plain HTTP', () => {
    // Act
    const [, topic] = only('AWS::SNS::Topic');
    const keyId = (topic.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

    // Assess
    expect(keyId).toMatch(/^KeysAlarmsKey/);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: 'Tollgate: alarm notifications',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribe the stage alarm e-mail when it is set, and nobody when it is not', () => {
    // Prepare
    const context = shippedContext();
    const stages = context.stages as Record<string, Record<string, unknown>>;
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const config = resolveStageConfig('dev', {
      ...stages,
      dev: { ...stages.dev, alarmEmail: 'ap-oncall@example.com' },
    });

    // Act
    const subscribed = Template.fromStack(new TollgateStack(app, 'Tollgate-dev', { config }));

    // Assess
    subscribed.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ap-oncall@example.com',
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
