import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STAGE_ENV } from '#platform/aws/resource-env.ts';
import type { FunctionDefinition } from '../catalog.ts';
import { acknowledgeWildcardResource } from './nag-findings.ts';
import type { FunctionPlacement } from './tollgate-network.ts';

export interface ActionFunctionProps {
  /** The catalog entry this function is built from. */
  readonly definition: FunctionDefinition;
  readonly stageName: string;
  /** Retention of the function's log group, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** Customer-managed key of the log group. */
  readonly logsKey: IKey;
  /** Directory that holds `package-lock.json` and the handler entries. */
  readonly projectRoot: string;
  /**
   * Name reported by Powertools in logs, traces and metrics.
   * @default 'tollgate'
   */
  readonly serviceName?: string;
  /**
   * The isolated subnets and security groups the function runs in (network mode `isolated`).
   * @default outside any VPC (network mode `public`)
   */
  readonly placement?: FunctionPlacement;
  /**
   * Where failed asynchronous invocations (scheduled jobs) land after their retries.
   * @default none: the function is invoked synchronously only
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Reserved concurrency; 1 keeps a scheduled job from overlapping with itself.
   * @default unreserved
   */
  readonly reservedConcurrency?: number;
}

/** ESM bundles have no `require`; some dependencies still call it, so the bundle defines one. */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * One Lambda handler from the catalog: Node.js 24 on Graviton, JSON logs into its own
 * encrypted log group, X-Ray tracing, bundled locally with esbuild from the pinned lockfile.
 * Its role starts empty; binders add exactly what the catalog grants.
 */
export class ActionFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly definition: FunctionDefinition;

  constructor(scope: Construct, id: string, props: ActionFunctionProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of the default one keeps AWS managed policies (and their wildcards) off the function.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Tollgate ${definition.id}: ${definition.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Handler', {
      entry: join(props.projectRoot, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: definition.memoryMb ?? 512,
      timeout: Duration.seconds(definition.timeoutSeconds ?? 30),
      role: this.role,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      ...(props.placement
        ? {
            vpc: props.placement.vpc,
            vpcSubnets: props.placement.vpcSubnets,
            securityGroups: props.placement.securityGroups,
          }
        : {}),
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'tollgate',
        [STAGE_ENV]: props.stageName,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        // Ship the SDK versions the lockfile pins rather than whatever the runtime carries.
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    if (props.placement) {
      // Lambda creates and removes the function's network interfaces in its name (what AWSLambdaVPCAccessExecutionRole grants).
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    acknowledgeWildcardResource(
      this.role,
      '*',
      props.placement
        ? 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and the VPC network interfaces Lambda creates for the function at run time (ec2:Create/Describe/DeleteNetworkInterface, ec2:DescribeSubnets, ec2:Assign/UnassignPrivateIpAddresses: Describe calls take no resource, interface ids do not exist before Lambda creates them), as in AWSLambdaVPCAccessExecutionRole.'
        : 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    );
  }

  /** Sets one environment variable; binders call it together with the grant it configures. */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
