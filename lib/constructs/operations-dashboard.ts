import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '#platform/aws/metric-names.ts';
import inquiryPolicy from '../../statemachines/policies/vendor-inquiry.json' with { type: 'json' };
import type { ActionFunction } from './action-function.ts';
import type { Runbook } from './runbook.ts';

export interface OperationsDashboardProps {
  /** The stage whose metrics (dimension `stage`) the dashboard and alarms read. */
  readonly stageName: string;
  /** Every runbook: a failed execution of any of them alarms. */
  readonly runbooks: ReadonlyMap<string, Runbook>;
  /** Every function: errors and throttles on the dashboard. */
  readonly functions: ReadonlyMap<string, ActionFunction>;
  /** Customer-managed key of the alarm topic. */
  readonly key: IKey;
  /**
   * Address subscribed to the alarm topic.
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /**
   * How often the approval backlog is counted; the backlog alarm reads one count per period.
   * @default 15
   */
  readonly backlogCheckMinutes?: number;
  /**
   * Service dimension the handlers publish under (POWERTOOLS_SERVICE_NAME).
   * @default 'tollgate'
   */
  readonly serviceName?: string;
}

/** Throttled model calls in five minutes that mean the stage needs more Bedrock quota, not more retries. */
export const MODEL_THROTTLE_ALARM_THRESHOLD = 5;

/**
 * What an operator and a CFO read: invoices processed, automation rate, exceptions by reason,
 * approvals by role, cycle time and model spend on one dashboard; alarms on failed runbook
 * executions, approvals past their deadline and model throttling, sent to an encrypted topic.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  readonly topic: Topic;
  readonly failedExecutionAlarms: ReadonlyMap<string, Alarm>;
  readonly approvalsPastDeadlineAlarm: Alarm;
  readonly modelThrottlingAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const dimensions = { service: props.serviceName ?? 'tollgate', stage: props.stageName };
    const metric = (
      metricName: string,
      statistic: string,
      extra: Record<string, string> = {},
      period = Duration.hours(1),
    ): Metric =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        statistic,
        period,
        dimensionsMap: { ...dimensions, ...extra },
      });

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Tollgate ${props.stageName} alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    const { account, region, partition } = Stack.of(this);
    // CloudWatch publishes alarm state changes as a service: only for this account's alarms.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    // An encrypted topic accepts CloudWatch's messages only when the key lets CloudWatch use it.
    props.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.topic);
    const alarmed = (alarm: Alarm): Alarm => {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    };

    const failedExecutions = new Map<string, Alarm>();
    for (const [name, runbook] of props.runbooks) {
      failedExecutions.set(
        name,
        alarmed(
          new Alarm(this, `${runbook.node.id}Failed`, {
            alarmDescription: `Runbook ${name} (${props.stageName}): an execution failed. Its RecordFailure evidence and GET /executions/{id} say why.`,
            metric: runbook.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
            threshold: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        ),
      );
    }
    this.failedExecutionAlarms = failedExecutions;

    const backlogPeriod = Duration.minutes(props.backlogCheckMinutes ?? 15);
    const pastDeadline = metric(METRIC.approvalsPastDeadline, 'Maximum', {}, backlogPeriod);
    this.approvalsPastDeadlineAlarm = alarmed(
      new Alarm(this, 'ApprovalsPastDeadline', {
        alarmDescription: `Tollgate ${props.stageName}: approvals wait in the work room past their deadline; GET /approvals?status=PENDING lists them.`,
        metric: pastDeadline,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No count means the check itself did not run: that shows as insufficient data, not as fine.
        treatMissingData: TreatMissingData.MISSING,
      }),
    );

    const throttles = metric(METRIC.modelThrottles, 'Sum', {}, Duration.minutes(5));
    this.modelThrottlingAlarm = alarmed(
      new Alarm(this, 'ModelThrottling', {
        alarmDescription: `Tollgate ${props.stageName}: Bedrock throttled ${MODEL_THROTTLE_ALARM_THRESHOLD} or more model calls in 5 minutes; runbooks retry, but the stage may need more quota.`,
        metric: throttles,
        threshold: MODEL_THROTTLE_ALARM_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const decided = metric(METRIC.invoicesDecided, 'Sum');
    const automationRate = new MathExpression({
      expression: '100 * autoApproved / decided',
      usingMetrics: { autoApproved: metric(METRIC.autoApproved, 'Sum'), decided },
      label: 'Automation rate (%)',
      period: Duration.hours(1),
    });
    const byDecision = ['AUTO_APPROVED', 'PENDING_APPROVAL', 'REJECTED'].map((decision) =>
      metric(METRIC.invoicesDecided, 'Sum', { decision }).with({ label: decision }),
    );
    const exceptions = new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},reasonCode,service,stage} MetricName="${METRIC.exceptionsByReason}" stage="${props.stageName}"', 'Sum', 3600)`,
      usingMetrics: {},
      label: 'Exceptions',
      period: Duration.hours(1),
    });
    const approvals = ['ap_clerk', 'controller'].flatMap((role) =>
      ['APPROVE', 'REJECT'].map((decision) =>
        metric(METRIC.approvalsDecided, 'Sum', { role, decision }).with({ label: `${role} ${decision}` }),
      ),
    );
    const costUsd = new MathExpression({
      expression: 'cost / 1000000',
      usingMetrics: { cost: metric(METRIC.modelCost, 'Sum') },
      label: 'Estimated model cost (USD)',
      period: Duration.hours(1),
    });
    const functions = [...props.functions.entries()];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown: `# Tollgate ${props.stageName}\nInvoices, exceptions, approvals and model spend (hourly), then the health of runbooks and functions. Model cost is an estimate from list prices.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'Invoices processed and automation rate',
            metrics: [decided.with({ label: 'Invoices decided' }), automationRate],
            setPeriodToTimeRange: true,
            width: 6,
          }),
          new GraphWidget({
            title: 'Invoices decided, by decision',
            left: [decided.with({ label: 'All' }), ...byDecision],
            width: 9,
          }),
          new GraphWidget({
            title: 'Automation rate (%)',
            left: [automationRate],
            leftYAxis: { min: 0, max: 100 },
            width: 9,
          }),
        ],
        [
          new GraphWidget({
            title: 'Exceptions by reason code',
            left: [exceptions],
            stacked: true,
            width: 12,
          }),
          new GraphWidget({ title: 'Approvals by role', left: approvals, stacked: true, width: 12 }),
        ],
        [
          new GraphWidget({
            title: 'Dispute resolution time, filing to post or void (s)',
            left: [
              metric(METRIC.disputeResolutionTime, 'p50').with({ label: 'p50' }),
              metric(METRIC.disputeResolutionTime, 'Maximum').with({ label: 'max' }),
            ],
            width: 24,
          }),
        ],
        [
          new GraphWidget({
            title: 'Vendor inquiry response time, received to reply sent (s)',
            left: [
              metric(METRIC.vendorReplyTime, 'p50').with({ label: 'p50' }),
              metric(METRIC.vendorReplyTime, 'p95').with({ label: 'p95' }),
            ],
            leftAnnotations: [
              {
                value: inquiryPolicy.responseTargetMinutes * 60,
                label: `target ${inquiryPolicy.responseTargetMinutes} min`,
              },
            ],
            width: 24,
          }),
        ],
        [
          new GraphWidget({
            title: 'Cycle time, submission to final status (ms)',
            left: [
              metric(METRIC.cycleTime, 'p50').with({ label: 'p50' }),
              metric(METRIC.cycleTime, 'p95').with({ label: 'p95' }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Model tokens',
            left: [
              metric(METRIC.modelInputTokens, 'Sum').with({ label: 'Input tokens' }),
              metric(METRIC.modelOutputTokens, 'Sum').with({ label: 'Output tokens' }),
            ],
            right: [costUsd],
            width: 8,
          }),
          new GraphWidget({
            title: 'Approval backlog',
            left: [
              metric(METRIC.approvalsPending, 'Maximum', {}, backlogPeriod).with({ label: 'Pending' }),
              pastDeadline.with({ label: 'Past deadline' }),
            ],
            width: 8,
          }),
        ],
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: [
              ...failedExecutions.values(),
              this.approvalsPastDeadlineAlarm,
              this.modelThrottlingAlarm,
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Failed runbook executions',
            left: [...props.runbooks].map(([name, runbook]) =>
              runbook.stateMachine.metricFailed({ period: Duration.minutes(5), label: name }),
            ),
            width: 8,
          }),
          new GraphWidget({ title: 'Model throttles (5 min)', left: [throttles], width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'Lambda errors',
            left: functions.map(
              ([id, fn]): IMetric => fn.function.metricErrors({ label: id, period: Duration.minutes(5) }),
            ),
            width: 12,
          }),
          new GraphWidget({
            title: 'Lambda throttles',
            left: functions.map(
              ([id, fn]): IMetric => fn.function.metricThrottles({ label: id, period: Duration.minutes(5) }),
            ),
            width: 12,
          }),
        ],
      ],
    });
  }
}
