import { apiHandler } from '#platform/api/http.ts';
import { decideRelease } from './decide-release.ts';
import { proposeRelease } from './propose-release.ts';

/**
 * One function for the two routes that write change requests (the same grants: the work table
 * and evidence): POST /runbooks/{runbook}/releases proposes, POST …/{changeId}/decision decides.
 * Each route keeps its own roles (route roles are checked per route before this runs).
 */
export const handler = apiHandler(async (request) =>
  request.event.resource.endsWith('/decision') ? decideRelease(request) : proposeRelease(request),
);
