import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { kms } from '#platform/aws/kms-client.ts';
import type { DigestSigner } from '#platform/evidence/core/ports.ts';

/**
 * Signs digests with the KMS asymmetric key (ECC_NIST_P256, ECDSA_SHA_256). The message is
 * sent as its SHA-256 (MessageType DIGEST), so digests of any size can be signed.
 */
export class KmsDigestSigner implements DigestSigner {
  readonly keyId: string;
  readonly algorithm = 'ECDSA_SHA_256' as const;
  private readonly kmsKeyId: string;
  private readonly client: KMSClient;
  private pem: string | undefined;

  private constructor(kmsKeyId: string, keyId: string, pem: string, client: KMSClient) {
    this.kmsKeyId = kmsKeyId;
    this.keyId = keyId;
    this.pem = pem;
    this.client = client;
  }

  static async create(kmsKeyId: string, client: KMSClient = kms): Promise<KmsDigestSigner> {
    const out = await client.send(new GetPublicKeyCommand({ KeyId: kmsKeyId }));
    if (!out.PublicKey) throw new Error(`KMS returned no public key for ${kmsKeyId}.`);
    const der = Buffer.from(out.PublicKey);
    const pem = `-----BEGIN PUBLIC KEY-----\n${der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trimEnd()}\n-----END PUBLIC KEY-----\n`;
    const keyId = createHash('sha256').update(der).digest('hex').slice(0, 32);
    return new KmsDigestSigner(kmsKeyId, keyId, pem, client);
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const out = await this.client.send(
      new SignCommand({
        KeyId: this.kmsKeyId,
        Message: createHash('sha256').update(message).digest(),
        MessageType: 'DIGEST',
        SigningAlgorithm: this.algorithm,
      }),
    );
    if (!out.Signature) throw new Error('KMS returned no signature.');
    return out.Signature;
  }

  async publicKeyPem(): Promise<string> {
    return this.pem as string;
  }
}
