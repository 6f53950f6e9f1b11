import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PATCH_MARKER, patchContinuationToken, S3RVER_FILE } from '../../../bin/patch-s3rver.ts';

// The install-time patch of s3rver's continuation token (DES, refused by Node 24's OpenSSL).
/** The two functions as s3rver 3.7.1 ships them. */
const ORIGINAL_FUNCTIONS = `function generateContinuationToken(bucket, keyName, region) {
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
const installed = readFileSync(createRequire(import.meta.url).resolve(S3RVER_FILE), 'utf8');
const original = installed.replace(
  /\/\/ continuation token: AES-128-CBC[\s\S]*?\n(?=exports\.bucketExists)/,
  () => ORIGINAL_FUNCTIONS,
);

describe('bin/patch-s3rver.ts', () => {
  it('the installed s3rver is patched (postinstall ran) and no longer uses DES', () => {
    // Assess
    expect(installed).toContain(PATCH_MARKER);
    expect(installed).not.toMatch(/createCipheriv\('des'|createDecipheriv\('des'/);
  });

  it('replaces the DES token functions of s3rver 3.7.1 and nothing else', () => {
    // Act
    const { source, changed } = patchContinuationToken(original);

    // Assess
    expect(changed).toBe(true);
    expect(source).toBe(installed);
    expect(source).not.toContain("'des'");
  });

  it('leaves an already patched file alone', () => {
    // Act
    const result = patchContinuationToken(installed);

    // Assess
    expect(result).toEqual({ source: installed, changed: false });
  });

  it('fails loudly when the file changed shape (an upgraded s3rver)', () => {
    // Prepare
    const upgraded = original.replace(
      "createCipheriv('des', key, iv)",
      "createCipheriv('des-ede3', key, iv)",
    );

    // Act + Assess
    expect(() => patchContinuationToken(upgraded)).toThrow(/does not have the continuation-token functions/);
    expect(() => patchContinuationToken('module.exports = {};')).toThrow(/Was s3rver upgraded\?/);
  });
});
