import { TollgateError } from '#platform/core/errors.ts';

/** The named rule a bank-file function refused with, or undefined when it did not refuse. */
export function ruleOf(act: () => unknown): string | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'BANK_FILE_INVALID')
      return String(error.details?.rule);
    throw error;
  }
  return undefined;
}

/** Replaces 1-based inclusive columns of one line (1-based) of a fixed-width file. */
export function withColumns(file: string, lineNumber: number, from: number, value: string): string {
  const lines = file.split('\n');
  const line = lines[lineNumber - 1]!;
  lines[lineNumber - 1] = `${line.slice(0, from - 1)}${value}${line.slice(from - 1 + value.length)}`;
  return lines.join('\n');
}
