import { PublishCommand } from '@aws-sdk/client-sns';
import { sns } from '#platform/aws/sns-client.ts';
import type { DemotionNotice } from './trust-events.ts';

/** Publishes a demotion to the trust notifications topic; subscribers get the agent, the reason and the evidence pointer. */
export async function publishDemotion(topicArn: string, notice: DemotionNotice): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: `Tollgate: agent ${notice.agentId} demoted to ${notice.to}`.slice(0, 100),
      Message: JSON.stringify(notice),
    }),
  );
}
