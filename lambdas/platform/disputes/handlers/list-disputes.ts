import { apiHandler, json } from '#platform/api/http.ts';
import { openDisputes } from '#platform/disputes/adapters/disputes-dynamodb.ts';

/** GET /disputes — open disputes, oldest first: what a controller has to resolve. */
export const handler = apiHandler(async (request) => {
  const me = request.principal.username;
  const disputes = await openDisputes(500);
  return json(200, {
    disputes: disputes.map((d) => ({ ...d, youMayResolve: d.filedBy !== me })),
  });
});
