import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf } from '#platform/evidence/core/digests.ts';
import type { DigestSigner } from '#platform/evidence/core/ports.ts';

/** Where the local stand-in for the KMS signing key lives: beside the dev-token key, in the data folder. */
export function evidenceSigningKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'evidence-digest-signing-key.pem');
}

/** A P-256 key pair in the data folder, signing digests as the KMS key does in AWS (ECDSA_SHA_256). */
export function loadOrCreateDigestSigner(dataDir: string): DigestSigner {
  const file = evidenceSigningKeyFile(dataDir);
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(pem),
    algorithm: 'ECDSA_SHA_256',
    sign: async (message) => sign('sha256', message, privateKey),
    publicKeyPem: async () => pem,
  };
}
