import {
  AspectPriority,
  Aspects,
  CfnResource,
  type IAspect,
  type IResolvable,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { CfnStage } from 'aws-cdk-lib/aws-apigateway';
import { CfnVPC } from 'aws-cdk-lib/aws-ec2';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, CfnSubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import type { LogSubscriptionSettings, NetworkMode } from './config/stage-config.ts';

/** Template metadata key under which every resource lists the findings acknowledged for it, with the reason. */
export const ACKNOWLEDGEMENTS_METADATA_KEY = 'tollgate:acknowledged-findings';

/** The cdk-nag packs a finance security review signs off on. */
export const NAG_PACK_PREFIXES = ['AwsSolutions-', 'NIST.800.53.R5-', 'PCI.DSS.321-', 'Serverless-'] as const;

export interface SecurityPostureProps {
  readonly networkMode: NetworkMode;
  readonly logSubscription?: LogSubscriptionSettings;
  /** Lambda functions invoked only synchronously (API routes and runbook tasks), by construct. */
  readonly synchronousFunctions: () => readonly IConstruct[];
  /** What bounds function concurrency upstream, for the acknowledgement that says so. */
  readonly concurrencyBound: string;
}

/**
 * Controls applied to the whole stack rather than to one construct, so resources other
 * parts add later get them too: every log group encrypted with a retention (and streamed to
 * the SIEM when configured), no state machine logging execution data, in isolated mode no
 * function outside the VPC; the cdk-nag findings that are decisions, acknowledged by resource
 * type with the reason; and every acknowledgement written into the template metadata.
 */
export function applySecurityPosture(stack: Stack, props: SecurityPostureProps): void {
  Aspects.of(stack).add(new EnforcedControls(props), { priority: AspectPriority.MUTATING });
  Aspects.of(stack).add(new TypeAcknowledgements(props), { priority: AspectPriority.MUTATING });
  Aspects.of(stack).add(new AcknowledgementsInTemplate(), { priority: AspectPriority.READONLY });
}

class EnforcedControls implements IAspect {
  private readonly props: SecurityPostureProps;
  constructor(props: SecurityPostureProps) {
    this.props = props;
  }

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) {
      if (node.kmsKeyId === undefined || node.retentionInDays === undefined) {
        Validations.of(node).addError(
          'TollgateLogGroupControls',
          'Every log group is encrypted with the logs key and has a retention: pass encryptionKey and retention.',
        );
      }
      const subscription = this.props.logSubscription;
      if (subscription && !node.node.tryFindChild('SiemSubscription')) {
        new CfnSubscriptionFilter(node, 'SiemSubscription', {
          logGroupName: node.ref,
          destinationArn: subscription.destinationArn,
          filterPattern: subscription.filterPattern ?? '',
          ...(subscription.roleArn ? { roleArn: subscription.roleArn } : {}),
        });
      }
    }
    if (node instanceof CfnStateMachine) {
      const logging = Stack.of(node).resolve(node.loggingConfiguration) as
        | { includeExecutionData?: boolean }
        | undefined;
      if (logging?.includeExecutionData !== false) {
        Validations.of(node).addError(
          'TollgateNoExecutionData',
          'Step Functions execution data (invoice amounts, vendor details, task tokens) is never logged: set includeExecutionData to false.',
        );
      }
    }
    if (
      this.props.networkMode === 'isolated' &&
      node instanceof CfnFunction &&
      node.vpcConfig === undefined
    ) {
      Validations.of(node).addError(
        'TollgateFunctionInVpc',
        'Network mode is isolated: every Lambda function runs in the isolated subnets (build it with ActionFunction, which places it).',
      );
    }
  }
}

class TypeAcknowledgements implements IAspect {
  private readonly props: SecurityPostureProps;
  constructor(props: SecurityPostureProps) {
    this.props = props;
  }

  visit(node: IConstruct): void {
    const acknowledge = (ids: readonly string[], reason: string) => {
      for (const id of ids) Validations.of(node).acknowledge({ id, reason });
    };
    if (node instanceof CfnFunction) {
      const synchronous = this.props.synchronousFunctions().some((fn) => isWithin(node, fn));
      if (synchronous) {
        acknowledge(
          ['NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ'],
          'Invoked only synchronously (API Gateway proxy or a Step Functions Task with Retry/Catch); a dead-letter queue applies to asynchronous invocations only, and a failed runbook step is retried and recorded by Step Functions.',
        );
        acknowledge(
          ['NIST.800.53.R5-LambdaConcurrency'],
          `Concurrency is bounded upstream: ${this.props.concurrencyBound}. Reserving concurrency would take capacity from the account's unreserved pool and can fail deployment in accounts with the default limit.`,
        );
      }
      if (this.props.networkMode === 'public') {
        acknowledge(
          ['NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
          'This stage runs network mode "public" (stage config network.mode, for dev); stages with finance data run "isolated", where every function is in the isolated subnets.',
        );
      }
    }
    if (node instanceof CfnPolicy) {
      acknowledge(
        ['NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
        'Each policy is generated by a binder for exactly one role and lists only the actions and resources that role is granted; a managed policy would hold the same document and could be attached to other principals.',
      );
    }
    if (node instanceof CfnBucket) {
      acknowledge(
        ['NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
        'Cross-region replication would copy finance data out of the deployment region, which the data boundary forbids; the bucket is versioned and retained, and evidence is under Object Lock.',
      );
      if (isServerAccessLogTarget(node)) {
        acknowledge(
          ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS'],
          'Server access log destination: S3 delivers access logs only to a bucket with SSE-S3 (AES-256) default encryption, and a log bucket does not log into itself.',
        );
      }
    }
    if (node instanceof CfnStage) {
      acknowledge(
        ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted'],
        'No API cache: responses are per caller and describe execution and approval state that must never be served stale; with no cache there is no cached data to encrypt.',
      );
      acknowledge(
        ['NIST.800.53.R5-APIGWSSLEnabled', 'PCI.DSS.321-APIGWSSLEnabled'],
        'Every integration is a Lambda proxy integration invoked through the AWS API over TLS; a client certificate authenticates API Gateway to HTTP backends, and there are none.',
      );
    }
    if (node instanceof CfnVPC) {
      acknowledge(
        ['NIST.800.53.R5-VPCDefaultSecurityGroupClosed', 'PCI.DSS.321-VPCDefaultSecurityGroupClosed'],
        'No network interface uses the default security group (functions and endpoints carry their own, with no open egress); closing it takes a custom-resource Lambda outside the VPC, which isolated mode does not allow.',
      );
    }
  }
}

/** Copies every acknowledgement that applies to a CloudFormation resource into its template metadata. */
class AcknowledgementsInTemplate implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const acknowledged: Record<string, string> = {};
    for (const scope of node.node.scopes) {
      for (const entry of scope.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
          const id = qualifiedId.replace(/^[\w.-]+::/, '');
          if (NAG_PACK_PREFIXES.some((prefix) => id.startsWith(prefix))) acknowledged[id] = reason;
        }
      }
    }
    if (Object.keys(acknowledged).length > 0) node.addMetadata(ACKNOWLEDGEMENTS_METADATA_KEY, acknowledged);
  }
}

function isWithin(node: IConstruct, scope: IConstruct): boolean {
  return node.node.scopes.includes(scope);
}

/** Whether another bucket of the stack delivers its server access logs to `bucket`. */
function isServerAccessLogTarget(bucket: CfnBucket): boolean {
  const stack = Stack.of(bucket);
  const target = stack.resolve(bucket.ref) as unknown;
  return stack.node
    .findAll()
    .filter((c): c is CfnBucket => c instanceof CfnBucket && c !== bucket)
    .some((other) => {
      const logging = other.loggingConfiguration as
        | CfnBucket.LoggingConfigurationProperty
        | IResolvable
        | undefined;
      if (logging === undefined || Token.isUnresolved(logging)) return false;
      const destination = (logging as CfnBucket.LoggingConfigurationProperty).destinationBucketName;
      return JSON.stringify(stack.resolve(destination)) === JSON.stringify(target);
    });
}

/** The packs bin/app.ts runs on every synth, by the names a reviewer knows them. */
export const NAG_PACK_NAMES = ['AwsSolutions', 'NIST 800-53 R5', 'PCI DSS 3.2.1', 'Serverless'] as const;

/**
 * The one line `cdk synth` prints after the packs ran: how many stacks, that no finding is open
 * (a synth with one fails before this line), and how many findings were acknowledged on how many
 * resources, from the reasons each template carries under ACKNOWLEDGEMENTS_METADATA_KEY.
 */
export function nagSummaryLine(
  templates: readonly { readonly Resources?: Record<string, { Metadata?: Record<string, unknown> }> }[],
): string {
  let acknowledgements = 0;
  let resources = 0;
  const rules = new Set<string>();
  for (const template of templates)
    for (const resource of Object.values(template.Resources ?? {})) {
      const acknowledged = resource.Metadata?.[ACKNOWLEDGEMENTS_METADATA_KEY] as
        | Record<string, string>
        | undefined;
      if (!acknowledged) continue;
      resources += 1;
      for (const id of Object.keys(acknowledged)) {
        acknowledgements += 1;
        rules.add(id.replace(/\[.*$/, ''));
      }
    }
  return `cdk-nag: ${NAG_PACK_NAMES.join(', ')} ran on ${templates.length} stack${templates.length === 1 ? '' : 's'}: no open finding; ${acknowledgements} acknowledged on ${resources} resources (${rules.size} rules), each with its reason under "${ACKNOWLEDGEMENTS_METADATA_KEY}" in the template.`;
}
