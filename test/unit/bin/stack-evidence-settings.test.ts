import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { stackEvidenceSettings } from '../../../bin/evidence-commands.ts';

// CloudFormation cannot run here: DescribeStacks answers are recorded, and the request is asserted.
function recorded(outputs: { OutputKey: string; OutputValue: string }[]) {
  const sent: { name: string; input: unknown }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return { Stacks: [{ StackName: 'Tollgate-prod', Outputs: outputs }] };
    },
  } as unknown as Pick<CloudFormationClient, 'send'>;
  return { client, sent };
}

describe('tollgate evidence verify --stack', () => {
  it("reads the bucket, the signing key to pin and the work table from the stage's outputs", async () => {
    // Prepare
    const { client, sent } = recorded([
      { OutputKey: 'ApiUrl', OutputValue: 'https://api.example' },
      { OutputKey: 'EvidenceBucketName', OutputValue: 'tollgate-prod-evidence' },
      { OutputKey: 'EvidenceSigningKeyArn', OutputValue: 'arn:aws:kms:eu-west-1:111122223333:key/abcd' },
      { OutputKey: 'WorkTableName', OutputValue: 'tollgate-prod-work' },
    ]);

    // Act
    const settings = await stackEvidenceSettings('Tollgate-prod', client);

    // Assess
    expect(sent).toEqual([{ name: 'DescribeStacksCommand', input: { StackName: 'Tollgate-prod' } }]);
    expect(settings).toEqual({
      bucket: 'tollgate-prod-evidence',
      signingKey: 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
      workTable: 'tollgate-prod-work',
    });
  });

  it('refuses a stack without the outputs, naming the one missing, rather than verifying without a pinned key', async () => {
    const { client } = recorded([{ OutputKey: 'EvidenceBucketName', OutputValue: 'b' }]);
    await expect(stackEvidenceSettings('Other', client)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no output EvidenceSigningKeyArn/),
    });
  });
});
