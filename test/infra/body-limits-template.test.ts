import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_BODY_PATHS,
  greaterThanPattern,
  MAX_BODY_BYTES,
  MAX_DOCUMENT_BODY_BYTES,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '#platform/documents/core/body-limits.ts';
import { synthesizeShippedStages, type TemplateResources } from './synthesize.ts';

// Body limits in AWS are the local gateway's (body-limits.ts): the WAF in front of API Gateway
// answers 413 PAYLOAD_TOO_LARGE past them, and the common rule set's 8 KB body rule no longer
// blocks the invoice route's documents. API Gateway's own answers have the handlers' error shape.
const { dev, prod } = synthesizeShippedStages();

type Rule = { Name: string; Priority: number; Action?: any; Statement: any; OverrideAction?: unknown };

describe.each([
  ['dev', dev.template],
  ['prod', prod.template],
] as const)('%s template', (_stage, template) => {
  // The API's web ACL (a CloudFront one, if any, is global and guards no API body).
  const acls = Object.values(template.findResources('AWS::WAFv2::WebACL') as TemplateResources).filter(
    (resource) => resource.Properties.Scope === 'REGIONAL',
  );
  const acl = acls[0]?.Properties ?? {};
  const rules = (acl.Rules ?? []) as Rule[];
  const rule = (name: string) => rules.find((r) => r.Name === name);

  it('counts the common rule set body-size rule instead of blocking every body over 8 KB', () => {
    expect(acls).toHaveLength(1);
    const common = rule('AWSManagedRulesCommonRuleSet');
    expect(common?.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    // Everything else in the rule set still blocks.
    expect(common?.OverrideAction).toEqual({ None: {} });
    expect(acl.AssociationConfig).toEqual({
      RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } },
    });
    expect(new Set(rules.map((r) => r.Priority)).size).toBe(rules.length);
  });

  it('answers 413 PAYLOAD_TOO_LARGE past the same limits as the local gateway, per route', () => {
    const outside = rule('BodyOverLimit');
    const [notDocument, size] = outside?.Statement.AndStatement.Statements ?? [];
    expect(notDocument.NotStatement.Statement.ByteMatchStatement).toMatchObject({
      FieldToMatch: { UriPath: {} },
      PositionalConstraint: 'ENDS_WITH',
      SearchString: DOCUMENT_BODY_PATHS[0],
    });
    expect(size.SizeConstraintStatement).toMatchObject({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: MAX_BODY_BYTES,
    });
    expect(outside?.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: PAYLOAD_TOO_LARGE } },
    });
    const documents = rule('DocumentBodyOverLimit');
    const [onDocument, header] = documents?.Statement.AndStatement.Statements ?? [];
    expect(onDocument.ByteMatchStatement.SearchString).toBe(DOCUMENT_BODY_PATHS[0]);
    expect(header.RegexMatchStatement).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: 'content-length' } },
      RegexString: greaterThanPattern(MAX_DOCUMENT_BODY_BYTES),
    });
    const documentKey = documents?.Action.Block.CustomResponse.CustomResponseBodyKey;
    // The size rule outside documents is decided before the managed rule groups look at a body.
    expect(outside?.Priority).toBeLessThan(rule('AWSManagedRulesCommonRuleSet')?.Priority ?? -1);
    // The bodies are exactly what the local gateway sends.
    const bodies = acl.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>;
    expect(JSON.parse(bodies[PAYLOAD_TOO_LARGE]?.Content ?? '{}')).toEqual({
      error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_BODY_BYTES) },
    });
    expect(JSON.parse(bodies[documentKey]?.Content ?? '{}')).toEqual({
      error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_DOCUMENT_BODY_BYTES) },
    });
    expect(bodies[documentKey]?.ContentType).toBe('APPLICATION_JSON');
  });

  it("gives API Gateway's own answers the handlers' { error: { code, message } } shape", () => {
    const responses = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse') as TemplateResources,
    ).map((r) => r.Properties);
    const byType = Object.fromEntries(responses.map((p) => [p.ResponseType, p]));
    expect(Object.keys(byType).sort()).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'REQUEST_TOO_LARGE',
      'UNAUTHORIZED',
    ]);
    for (const type of Object.keys(byType)) {
      expect(byType[type].ResponseTemplates['application/json'], type).toMatch(
        /^\{"error":\{"code":"([A-Z_]+|\$context\.error\.responseType)","message":\$context\.error\.messageString\}\}$/,
      );
    }
    expect(byType.REQUEST_TOO_LARGE).toMatchObject({ StatusCode: '413' });
    expect(byType.REQUEST_TOO_LARGE.ResponseTemplates['application/json']).toContain(
      `"code":"${PAYLOAD_TOO_LARGE}"`,
    );
    expect(byType.UNAUTHORIZED.ResponseTemplates['application/json']).toContain('"code":"UNAUTHENTICATED"');
  });
});
