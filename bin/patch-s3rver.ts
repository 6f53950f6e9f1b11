import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * s3rver 3.7.1 (the local S3) encrypts its ListObjectsV2 continuation token with DES, which
 * Node 24's OpenSSL 3 refuses without the legacy provider: every listing longer than one page
 * (1,000 keys) answers 500. `npm install`/`npm ci` run this script (package.json `postinstall`):
 * it swaps the two token functions for AES-128-CBC versions, leaves an already patched file
 * alone, and fails the install if the file no longer has the shape it was written for.
 */
export const S3RVER_FILE = 's3rver/lib/controllers/bucket.js';

export const PATCH_MARKER = 'continuation token: AES-128-CBC (patched at install by bin/patch-s3rver.ts)';

const ORIGINAL = `function generateContinuationToken(bucket, keyName, region) {
  const key = Buffer.alloc(8, 'S3RVER', 'utf8');
  const iv = crypto.randomBytes(8);
  // ensure the first byte of IV lies between [212, 216)
  iv[0] = (iv[0] & 0b00000011) | 0b11010100;
  // use DES for its 8-byte block size
  // (real S3 has blocks of lengths [9,8,7] repeating)
  const cipher = crypto.createCipheriv('des', key, iv);
  return Buffer.concat([
    iv,
    cipher.update(\`\${region}/\${bucket}/\${keyName}\`, 'utf8'),
    cipher.final(),
  ]).toString('base64');
}

function decipherContinuationToken(token) {
  const buf = Buffer.from(token, 'base64');
  if (buf.length < 8) return '';
  const key = Buffer.alloc(8, 'S3RVER', 'utf8');
  const iv = buf.slice(0, 8);
  const decipher = crypto.createDecipheriv('des', key, iv);
  const ciphertext = buf.slice(8);
  return Buffer.concat([
    decipher.update(ciphertext),
    decipher.final(),
  ]).toString('utf8');
}
`;

const PATCHED = `// ${PATCH_MARKER}
function generateContinuationToken(bucket, keyName, region) {
  const key = Buffer.alloc(16, 'S3RVER', 'utf8');
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([
    iv,
    cipher.update(\`\${region}/\${bucket}/\${keyName}\`, 'utf8'),
    cipher.final(),
  ]).toString('base64');
}

function decipherContinuationToken(token) {
  const buf = Buffer.from(token, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) return '';
  const key = Buffer.alloc(16, 'S3RVER', 'utf8');
  const decipher = crypto.createDecipheriv('aes-128-cbc', key, buf.subarray(0, 16));
  try {
    return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    return ''; // not a token this server issued: answered as an incorrect token (400)
  }
}
`;

/** The patched source; the same source when already patched. Throws when the file changed shape. */
export function patchContinuationToken(source: string): { source: string; changed: boolean } {
  if (source.includes(PATCHED)) return { source, changed: false };
  const at = source.indexOf(ORIGINAL);
  if (at < 0 || source.indexOf(ORIGINAL, at + 1) >= 0 || source.includes(PATCH_MARKER)) {
    throw new Error(
      `${S3RVER_FILE} does not have the continuation-token functions of s3rver 3.7.1 this patch replaces. ` +
        'Was s3rver upgraded? Check whether the new version still uses DES (refused by Node 24) and update bin/patch-s3rver.ts.',
    );
  }
  return { source: source.replace(ORIGINAL, PATCHED), changed: true };
}

/** Patches the installed s3rver in place; a no-op where s3rver is not installed (`npm ci --omit=dev`). */
export function patchInstalledS3rver(log: (line: string) => void): void {
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve(S3RVER_FILE);
  } catch {
    log('s3rver is not installed (production install): nothing to patch.');
    return;
  }
  const { source, changed } = patchContinuationToken(readFileSync(file, 'utf8'));
  if (changed) writeFileSync(file, source);
  log(
    changed
      ? `patched ${S3RVER_FILE}: ListObjectsV2 continuation tokens use AES-128-CBC instead of DES.`
      : `${S3RVER_FILE} already patched.`,
  );
}

if (import.meta.main) {
  try {
    patchInstalledS3rver((line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`patch-s3rver: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
