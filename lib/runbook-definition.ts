import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunbookDefinition } from './catalog.ts';

/**
 * Loads a runbook (ASL + Markdown + policy), computes its version and prepares the
 * definition both the CDK `Runbook` construct and the local engine run. Pure file reading
 * and JSON work: no CDK, no AWS.
 */
export interface LoadedRunbook {
  readonly name: string;
  /** The ASL after context injection, placeholders still unbound. */
  readonly definition: Record<string, unknown>;
  readonly markdown: string;
  /** SHA-256 (hex) over the ASL, the Markdown and the policy, as stored on disk. */
  readonly version: string;
  /** Placeholder names found in the ASL (without `${}`), sorted. */
  readonly placeholders: readonly string[];
}

export class RunbookDefinitionError extends Error {
  readonly code = 'RUNBOOK_DEFINITION_INVALID';
  constructor(runbook: string, message: string) {
    super(`Runbook "${runbook}": ${message}`);
    this.name = 'RunbookDefinitionError';
  }
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Keys every Task receives in its Parameters, so every handler knows what it runs under. */
export const CONTEXT_KEYS = ['runbook', 'runbookVersion', 'executionArn.$'] as const;

export function runbookVersion(asl: string, markdown: string, policy: string): string {
  const hash = createHash('sha256');
  for (const [label, part] of [
    ['asl', asl],
    ['markdown', markdown],
    ['policy', policy],
  ] as const) {
    const bytes = Buffer.from(part, 'utf8');
    hash.update(`${label}:${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

export function loadRunbook(projectRoot: string, runbook: RunbookDefinition): LoadedRunbook {
  const dir = runbook.definitionDir ?? 'statemachines';
  const aslText = readRequired(projectRoot, `${dir}/${runbook.name}.asl.json`, runbook.name);
  const markdown = readRequired(projectRoot, `${dir}/${runbook.name}.md`, runbook.name);
  const policy = runbook.policy ? readRequired(projectRoot, runbook.policy, runbook.name) : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(aslText);
  } catch (error) {
    throw new RunbookDefinitionError(
      runbook.name,
      `the ASL is not valid JSON (${(error as Error).message}).`,
    );
  }
  if (!isObject(parsed) || !isObject(parsed.States) || typeof parsed.StartAt !== 'string') {
    throw new RunbookDefinitionError(runbook.name, 'the ASL needs "StartAt" and a "States" object.');
  }
  if ('QueryLanguage' in parsed && parsed.QueryLanguage !== 'JSONPath') {
    throw new RunbookDefinitionError(runbook.name, 'only the JSONPath query language is supported.');
  }

  const placeholders = [...new Set([...aslText.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
  const bound = Object.keys(runbook.tasks).sort();
  const unbound = placeholders.filter((p) => !bound.includes(p));
  const unused = bound.filter((b) => !placeholders.includes(b));
  if (unbound.length > 0) {
    throw new RunbookDefinitionError(
      runbook.name,
      `placeholders ${unbound.map((p) => `\${${p}}`).join(', ')} are not bound: add them to "tasks" in lib/catalog.ts.`,
    );
  }
  if (unused.length > 0) {
    throw new RunbookDefinitionError(
      runbook.name,
      `catalog binds ${unused.join(', ')} but the ASL never uses them.`,
    );
  }

  const version = runbookVersion(aslText, markdown, policy);
  const definition = structuredClone(parsed);
  injectContext(runbook.name, version, definition.States as Record<string, unknown>);
  return { name: runbook.name, definition, markdown, version, placeholders };
}

/** Replaces `${Placeholder}` everywhere in the definition; every placeholder must have a value. */
export function bindPlaceholders(
  loaded: LoadedRunbook,
  values: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const text = JSON.stringify(loaded.definition).replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new RunbookDefinitionError(loaded.name, `no value for ${whole}.`);
    return value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

function injectContext(runbook: string, version: string, states: Record<string, unknown>): void {
  for (const [stateName, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (state.Type === 'Task') {
      const parameters = state.Parameters;
      if (!isObject(parameters)) {
        throw new RunbookDefinitionError(
          runbook,
          `Task "${stateName}" needs a "Parameters" object so the runbook context can be passed to it.`,
        );
      }
      const target = isObject(parameters.Payload) ? parameters.Payload : parameters;
      for (const key of CONTEXT_KEYS) {
        if (key in target) {
          throw new RunbookDefinitionError(
            runbook,
            `Task "${stateName}" must not set "${key}"; it is injected.`,
          );
        }
      }
      target.runbook = runbook;
      target.runbookVersion = version;
      target['executionArn.$'] = '$$.Execution.Id';
    }
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const branch of state.Branches) {
        if (isObject(branch) && isObject(branch.States)) injectContext(runbook, version, branch.States);
      }
    }
    if (state.Type === 'Map') {
      const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : state.Iterator;
      if (isObject(processor) && isObject(processor.States))
        injectContext(runbook, version, processor.States);
    }
  }
}

function readRequired(projectRoot: string, relative: string, runbook: string): string {
  try {
    return readFileSync(join(projectRoot, relative), 'utf8');
  } catch {
    throw new RunbookDefinitionError(
      runbook,
      `cannot read ${relative}; it must exist beside the other runbook files.`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
