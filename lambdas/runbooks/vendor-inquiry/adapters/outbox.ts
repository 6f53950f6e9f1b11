import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a sent reply goes: locally a folder of .eml files; in AWS none is configured yet, so replies stay drafts. */
export const OUTBOX_DIR_ENV = 'VENDOR_INQUIRY_OUTBOX_DIR';

export interface OutgoingReply {
  /** Names the file, so a retried step writes the same one. */
  readonly executionId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Outbox {
  /** Where the reply was put (a file path, or a message id). */
  send(reply: OutgoingReply): Promise<string>;
}

class FolderOutbox implements Outbox {
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
  }
  async send(reply: OutgoingReply): Promise<string> {
    mkdirSync(this.#dir, { recursive: true });
    const file = join(this.#dir, `${reply.executionId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
    const header = (value: string) => value.replace(/[\r\n]+/g, ' ');
    writeFileSync(
      file,
      `To: ${header(reply.to)}\r\nSubject: ${header(reply.subject)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${reply.text}\r\n`,
    );
    return file;
  }
}

/** The stage's outbox, or none: with none, every reply waits as a draft for a clerk. */
export function configuredOutbox(): Outbox | undefined {
  const dir = process.env[OUTBOX_DIR_ENV];
  return dir ? new FolderOutbox(dir) : undefined;
}
