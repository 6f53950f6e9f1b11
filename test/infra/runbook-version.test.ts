import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { catalogRunbooks, functionById, type RunbookDefinition } from '../../lib/catalog.ts';
import { Runbook } from '../../lib/constructs/runbook.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { runbookVersion } from '../../lib/runbook-definition.ts';
import { synthesizeShippedStages } from './synthesize.ts';
import { bareFunction, throwawayStack } from './throwaway.ts';

const { dev } = synthesizeShippedStages();

interface AslState {
  Type: string;
  Parameters?: Record<string, unknown>;
}

function tasksOf(definitionString: string): AslState[] {
  const definition = JSON.parse(definitionString) as { States: Record<string, AslState> };
  return Object.values(definition.States).filter((state) => state.Type === 'Task');
}

function fileVersion(definition: RunbookDefinition, root: string): string {
  const read = (relative: string) => readFileSync(join(root, relative), 'utf8');
  return runbookVersion(
    read(`statemachines/${definition.name}.asl.json`),
    read(`statemachines/${definition.name}.md`),
    definition.policy ? read(definition.policy) : '',
  );
}

/** A runbook built from a copy of the shipped files, optionally edited first. */
function runbookFromCopy(definition: RunbookDefinition, edit?: (root: string) => void): Runbook {
  const root = mkdtempSync(join(tmpdir(), 'runbook-version-'));
  mkdirSync(join(root, 'statemachines'));
  for (const file of [`${definition.name}.asl.json`, `${definition.name}.md`]) {
    copyFileSync(join(PROJECT_ROOT, 'statemachines', file), join(root, 'statemachines', file));
  }
  if (definition.policy) {
    mkdirSync(join(root, definition.policy, '..'), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, definition.policy), join(root, definition.policy));
  }
  edit?.(root);
  const stack = throwawayStack();
  const functions = new Map(
    Object.values(definition.tasks).map((id) => [id, bareFunction(stack, functionById(id))] as const),
  );
  return new Runbook(stack, 'Runbook', {
    definition,
    functions,
    projectRoot: root,
    key: new Key(stack, 'Key', { enableKeyRotation: true }),
    logsKey: new Key(stack, 'LogsKey', { enableKeyRotation: true }),
    logRetentionDays: 1,
  });
}

describe.each(catalogRunbooks())('runbook $name', (definition) => {
  it('passes the version computed from its files into every Task of the deployed definition', () => {
    // Prepare
    const expected = fileVersion(definition, PROJECT_ROOT);
    const runbook = dev.stack.runbooks.get(definition.name);
    const stateMachine = Object.values(dev.template.findResources('AWS::StepFunctions::StateMachine')).find(
      (resource) =>
        (resource.Properties.DefinitionString as string).includes(`"runbook":"${definition.name}"`),
    );

    // Act
    const tasks = tasksOf(stateMachine?.Properties.DefinitionString as string);

    // Assess
    expect(runbook?.version).toBe(expected);
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      // Lambda-invoke integrations carry the context in their Payload, direct invocations in Parameters.
      const parameters = task.Parameters as Record<string, unknown>;
      const target = typeof parameters.Payload === 'object' ? parameters.Payload : parameters;
      expect(target).toMatchObject({
        runbook: definition.name,
        runbookVersion: expected,
        'executionArn.$': '$$.Execution.Id',
      });
    }
  });

  it('binds every placeholder to a function ARN and leaves none in the definition', () => {
    // Prepare
    const stateMachine = Object.values(dev.template.findResources('AWS::StepFunctions::StateMachine')).find(
      (resource) =>
        (resource.Properties.DefinitionString as string).includes(`"runbook":"${definition.name}"`),
    );

    // Act
    const substitutions = stateMachine?.Properties.DefinitionSubstitutions as Record<string, unknown>;

    // Assess
    expect(Object.keys(substitutions).sort()).toEqual(Object.keys(definition.tasks).sort());
    for (const value of Object.values(substitutions)) {
      expect(value).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    }
  });

  it('tags the state machine and outputs the version', () => {
    // Prepare
    const runbook = runbookFromCopy(definition);
    const template = Template.fromStack(Stack.of(runbook));

    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      Tags: Match.arrayWith([{ Key: 'tollgate:runbook-version', Value: runbook.version }]),
    });
    expect(Object.values(template.findOutputs('*')).map((output) => output.Value)).toContain(runbook.version);
  });

  it('gets a new version when the ASL changes', () => {
    // Prepare
    const shipped = runbookFromCopy(definition);

    // Act
    const edited = runbookFromCopy(definition, (root) => {
      const file = join(root, 'statemachines', `${definition.name}.asl.json`);
      const asl = JSON.parse(readFileSync(file, 'utf8')) as { Comment?: string };
      writeFileSync(file, JSON.stringify({ ...asl, Comment: `${asl.Comment ?? ''} (edited)` }, null, 2));
    });

    // Assess
    expect(edited.version).not.toBe(shipped.version);
    expect(JSON.stringify(Template.fromStack(Stack.of(edited)).toJSON())).toContain(edited.version);
  });

  it('gets a new version when only the Markdown changes', () => {
    // Prepare
    const shipped = runbookFromCopy(definition);

    // Act
    const edited = runbookFromCopy(definition, (root) => {
      const file = join(root, 'statemachines', `${definition.name}.md`);
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nA controller changed this sentence.\n`);
    });

    // Assess
    expect(edited.version).not.toBe(shipped.version);
  });
});
