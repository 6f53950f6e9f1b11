import * as z from 'zod';
import { runbookVersionEnv, STAGE_ENV } from '#platform/aws/resource-env.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { runbookModules } from '#runbooks/registry.ts';
import { DynamoDbReleaseStore } from '../adapters/release-store-dynamodb.ts';
import { checkDeployedVersions, type DeployedVersionCheck, isReleaseStage } from '../core/change-requests.ts';

const store = new DynamoDbReleaseStore();

interface ReleaseCheck {
  readonly stage: string;
  readonly controlled: boolean;
  readonly passed: boolean;
  readonly unapproved: readonly string[];
  readonly runbooks: readonly DeployedVersionCheck[];
}

/**
 * Task CheckReleases of the deployment check: in a controlled stage (dev, uat, prod) every
 * deployed runbook version must be the one an approved change put live there; any other fails
 * the check. A stage outside the control room (local) is reported as not controlled.
 */
export const handler = runbookStep<{ probeKey: z.ZodOptional<z.ZodString> }, ReleaseCheck>({
  input: { probeKey: z.string().optional() },
  run: async () => {
    const stage = process.env[STAGE_ENV] ?? 'unknown';
    if (!isReleaseStage(stage)) {
      return { result: { stage, controlled: false, passed: true, unapproved: [], runbooks: [] } };
    }
    const deployed: Record<string, string> = {};
    for (const module of runbookModules()) {
      deployed[module.name] = process.env[runbookVersionEnv(module.name)] ?? '(not bound)';
    }
    const live = Object.fromEntries(
      await Promise.all(
        Object.keys(deployed).map(
          async (runbook) =>
            [runbook, (await store.history(runbook)).live.find((l) => l.stage === stage)] as const,
        ),
      ),
    );
    const runbooks = checkDeployedVersions(deployed, live);
    const unapproved = runbooks.filter((r) => !r.approved).map((r) => r.runbook);
    const passed = unapproved.length === 0;
    return {
      result: { stage, controlled: true, passed, unapproved, runbooks },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'CheckReleases/rule_result',
          actor: { kind: 'system', id: 'deployment-check', role: 'runbook' },
          details: { rule: 'deployed_versions_approved', stage, passed, runbooks },
          business: { decision: passed ? 'PASSED' : 'UNAPPROVED_VERSION', reasonCodes: unapproved },
        },
      ],
    };
  },
});
