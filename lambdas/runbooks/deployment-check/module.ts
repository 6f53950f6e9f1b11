import * as z from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';

/**
 * The platform's own check after a deploy: write a probe, read it back, leave evidence, and (in a
 * controlled stage) find every deployed runbook version put live there by an approved change.
 */
export const deploymentCheck = defineRunbook({
  name: 'deployment-check',
  description: 'Proves a freshly deployed stack can run a runbook end to end.',
  request: z.strictObject({ note: z.string().max(500).optional() }),
  startRoles: ['platform_admin'],
  approvals: {},
  tasks: {
    WriteProbeFunctionArn: 'DeploymentCheckWriteProbe',
    ReadProbeFunctionArn: 'DeploymentCheckReadProbe',
    // A platform function: in dev, uat and prod every deployed version must have an approved change.
    CheckReleasesFunctionArn: 'CheckRunbookReleases',
  },
  functions: [
    {
      id: 'DeploymentCheckWriteProbe',
      entry: 'lambdas/runbooks/deployment-check/handlers/write-probe.ts',
      description: 'Runbook deployment-check: write a probe record to the work table and evidence of it.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'DeploymentCheckReadProbe',
      entry: 'lambdas/runbooks/deployment-check/handlers/read-probe.ts',
      description: 'Runbook deployment-check: read the probe back and compare it byte for byte.',
      tables: { work: 'read' },
    },
  ],
});
