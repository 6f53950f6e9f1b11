import { apiHandler, json } from '#platform/api/http.ts';
import { releaseStream } from '../adapters/release-events.ts';
import { DynamoDbReleaseStore } from '../adapters/release-store-dynamodb.ts';
import { RELEASE_STAGES } from '../core/change-requests.ts';
import { knownRunbook } from './release-requests.ts';

const store = new DynamoDbReleaseStore();

/**
 * GET /runbooks/{runbook}/releases — which version is live in which stage since when and by whose
 * approval, and every change request with its diff, report and decision, oldest first.
 */
export const handler = apiHandler(async (request) => {
  const runbook = knownRunbook(request.pathParameter('runbook'));
  const history = await store.history(runbook);
  return json(200, {
    runbook,
    stages: RELEASE_STAGES.map(
      (stage) => history.live.find((l) => l.stage === stage) ?? { stage, version: null },
    ),
    changes: history.changes,
    evidenceStream: releaseStream(runbook),
  });
});
