import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { TollgateStack } from '../../lib/tollgate-stack.ts';
import { shippedContext } from './synthesize.ts';

/** CloudFormation refuses a template with more resources than this; a deploy would fail after synth. */
const CLOUDFORMATION_RESOURCE_LIMIT = 500;

// The largest shape each shipped stage can take: every optional feature that adds resources on,
// so a new function or construct that would push a real deployment past the limit fails here first.
const everything = {
  logSubscription: { destinationArn: 'arn:aws:logs:us-east-1:210987654321:destination:siem' },
  alarmEmail: 'finance-platform@acme.example',
  federation: {
    domainPrefix: 'acme-finance',
    callbackUrls: ['https://finance.acme.example/callback'],
    providers: [
      { type: 'SAML', name: 'AcmeEntra', metadataUrl: 'https://login.acme.example/federationmetadata.xml' },
    ],
  },
};

describe('CloudFormation resource limit', () => {
  const context = shippedContext();
  const stages = context.stages as Record<string, Record<string, unknown>>;

  it.each(Object.keys(stages))(
    'Tollgate-%s with every optional feature stays within 500 resources',
    (stage) => {
      // Prepare
      const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
      const config = resolveStageConfig(stage, { ...stages, [stage]: { ...stages[stage], ...everything } });

      // Act
      const template = Template.fromStack(new TollgateStack(app, `Tollgate-${stage}-largest`, { config }));
      const count = Object.keys(template.toJSON().Resources ?? {}).length;

      // Assess
      expect(count, `Tollgate-${stage} has ${count} resources`).toBeLessThanOrEqual(
        CLOUDFORMATION_RESOURCE_LIMIT,
      );
    },
  );
});
