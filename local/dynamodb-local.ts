import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PROJECT_ROOT } from '../lib/project-root.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder for the database file; omitted = in memory. */
  readonly dataDir?: string;
}

/** The DynamoDB Local jar AWS publishes, as shipped inside the amplify-dynamodb-simulator npm package. */
function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** A reserved name (RFC 2606 `.invalid`): no page a developer visits can come from it. */
export const NO_BROWSER_ORIGIN = 'http://tollgate.invalid';

/** Starts DynamoDB Local on 127.0.0.1 through the loopback launcher and waits until it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const emulator = emulatorDir();
  const args = [
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-Xshare:auto',
    '-cp',
    `${join(emulator, 'DynamoDBLocal.jar')}:${join(emulator, 'DynamoDBLocal_lib', '*')}`,
    join(PROJECT_ROOT, 'local', 'dynamodb', 'LoopbackDynamoDbLocal.java'),
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
    // Its default answers any web page's CORS preflight; only an origin no browser can have is allowed.
    '-cors',
    NO_BROWSER_ORIGIN,
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  // DynamoDB Local drops a metadata file in its working folder: keep it out of the project.
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.dataDir ?? tmpdir() });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.once('error', (error) => {
    output += `\n${error.message}`;
  });

  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited before it was ready (is Java 17 installed?):\n${output}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (error) {
    await terminate(child, exited);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop: () => terminate(child, exited) };
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
