import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import {
  type CfnVPCEndpoint,
  FlowLog,
  FlowLogDestination,
  FlowLogResourceType,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { CfnKey, type IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';

export interface TollgateNetworkProps {
  /** The region's AWS-managed prefix lists of the S3 and DynamoDB gateway endpoints. */
  readonly gatewayPrefixLists: { readonly s3: string; readonly dynamodb: string };
  /** Customer-managed key of the flow log group. */
  readonly logsKey: IKey;
  /** Retention of the flow log group, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** Model and guardrail ARNs the Bedrock endpoint may reach; read at synth. */
  readonly modelResources: () => readonly string[];
  /**
   * Address range of the VPC.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
}

/** Where a function is placed and which security groups it carries. */
export interface FunctionPlacement {
  readonly vpc: Vpc;
  readonly vpcSubnets: SubnetSelection;
  readonly securityGroups: SecurityGroup[];
}

export interface EndpointAccess {
  readonly actions: readonly string[];
  /** Resource ARNs, read when the template is written so resources added later are covered. */
  readonly resources: (stack: Stack) => readonly string[];
}

/**
 * Network mode `isolated`: a VPC with private isolated subnets only (no internet gateway, no
 * NAT), interface endpoints with private DNS for Bedrock Runtime, Step Functions, KMS and
 * CloudWatch Logs, gateway endpoints for S3 and DynamoDB, every endpoint policy limited to
 * this account's principals and this stack's resources, security groups that only reach the
 * endpoints over HTTPS, and flow logs of all traffic.
 */
export class TollgateNetwork extends Construct {
  readonly vpc: Vpc;
  /** Carried by every function: HTTPS out to the endpoints, nothing else. */
  readonly functionSecurityGroup: SecurityGroup;
  /** Carried by the interface endpoints: HTTPS in from functions only. */
  readonly endpointSecurityGroup: SecurityGroup;
  readonly flowLogs: LogGroup;

  constructor(scope: Construct, id: string, props: TollgateNetworkProps) {
    super(scope, id);
    const { account, partition, region } = Stack.of(this);
    const isolated: SubnetSelection = { subnetType: SubnetType.PRIVATE_ISOLATED };

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Closing the default group needs a custom-resource Lambda outside the VPC; nothing here uses that group.
      restrictDefaultSecurityGroup: false,
    });

    this.flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new FlowLog(this, 'FlowLog', {
      resourceType: FlowLogResourceType.fromVpc(this.vpc),
      destination: FlowLogDestination.toCloudWatchLogs(this.flowLogs),
      trafficType: FlowLogTrafficType.ALL,
    });

    this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Tollgate interface endpoints: HTTPS in from Tollgate functions only',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Tollgate functions: HTTPS out to the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      Port.tcp(443),
      'HTTPS from functions',
    );
    this.functionSecurityGroup.addEgressRule(
      this.endpointSecurityGroup,
      Port.tcp(443),
      'HTTPS to interface endpoints',
    );
    this.functionSecurityGroup.addEgressRule(
      Peer.prefixList(props.gatewayPrefixLists.s3),
      Port.tcp(443),
      'HTTPS to the S3 gateway endpoint',
    );
    this.functionSecurityGroup.addEgressRule(
      Peer.prefixList(props.gatewayPrefixLists.dynamodb),
      Port.tcp(443),
      'HTTPS to the DynamoDB gateway endpoint',
    );

    const arnsOf =
      <T extends IConstruct>(type: abstract new (...args: never[]) => T, arns: (resource: T) => string[]) =>
      (stack: Stack) =>
        stack.node
          .findAll()
          .filter((c): c is T => c instanceof type)
          .flatMap(arns);

    const interfaceEndpoints: [string, InterfaceVpcEndpointAwsService, EndpointAccess][] = [
      [
        'BedrockRuntime',
        InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
        {
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:ApplyGuardrail'],
          resources: () => props.modelResources(),
        },
      ],
      [
        'StepFunctions',
        InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
        {
          actions: [
            'states:StartExecution',
            'states:DescribeExecution',
            'states:GetExecutionHistory',
            'states:StopExecution',
            'states:SendTaskSuccess',
            'states:SendTaskFailure',
            'states:SendTaskHeartbeat',
          ],
          resources: arnsOf(CfnStateMachine, (machine) => [
            machine.ref,
            `arn:${partition}:states:${region}:${account}:execution:${machine.attrName}:*`,
          ]),
        },
      ],
      [
        'Kms',
        InterfaceVpcEndpointAwsService.KMS,
        {
          actions: [
            'kms:Decrypt',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:DescribeKey',
            'kms:Sign',
            'kms:Verify',
            'kms:GetPublicKey',
          ],
          resources: arnsOf(CfnKey, (key) => [key.attrArn]),
        },
      ],
      [
        'Logs',
        InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: arnsOf(CfnLogGroup, (group) => [group.attrArn]),
        },
      ],
    ];
    for (const [endpointId, service, access] of interfaceEndpoints)
      this.addServiceEndpoint(endpointId, service, access);

    const gatewayEndpoints: [string, GatewayVpcEndpointAwsService, EndpointAccess][] = [
      [
        'S3',
        GatewayVpcEndpointAwsService.S3,
        {
          actions: [
            's3:GetObject',
            's3:GetObjectVersion',
            's3:GetObjectRetention',
            's3:PutObject',
            's3:ListBucket',
            's3:GetBucketLocation',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
          ],
          resources: arnsOf(CfnBucket, (bucket) => [bucket.attrArn, `${bucket.attrArn}/*`]),
        },
      ],
      [
        'DynamoDb',
        GatewayVpcEndpointAwsService.DYNAMODB,
        {
          actions: [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            'dynamodb:ConditionCheckItem',
            'dynamodb:DescribeTable',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:BatchWriteItem',
          ],
          resources: arnsOf(CfnTable, (table) => [table.attrArn, `${table.attrArn}/index/*`]),
        },
      ],
    ];
    for (const [endpointId, service, access] of gatewayEndpoints) {
      const endpoint = this.vpc.addGatewayEndpoint(endpointId, { service, subnets: [isolated] });
      this.restrict(endpoint.node.defaultChild as CfnVPCEndpoint, access);
    }
  }

  /**
   * One more AWS service the functions reach (e.g. Athena, Glue): an interface endpoint with
   * private DNS behind the endpoint security group, its policy limited like the others.
   */
  addServiceEndpoint(id: string, service: InterfaceVpcEndpointAwsService, access: EndpointAccess): void {
    const endpoint = this.vpc.addInterfaceEndpoint(id, {
      service,
      privateDnsEnabled: true,
      subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.endpointSecurityGroup],
      open: false,
    });
    this.restrict(endpoint.node.defaultChild as CfnVPCEndpoint, access);
  }

  /** Where every function of the stage runs. */
  get placement(): FunctionPlacement {
    return {
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.functionSecurityGroup],
    };
  }

  /** Principals of this account, the listed actions, this stack's resources; nothing else passes the endpoint. */
  private restrict(endpoint: CfnVPCEndpoint, access: EndpointAccess): void {
    const stack = Stack.of(this);
    endpoint.policyDocument = Lazy.any({
      produce: () => ({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ThisAccountThisStack',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: [...access.actions],
            Resource: [...new Set(access.resources(stack))],
            Condition: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
          },
        ],
      }),
    });
  }
}
