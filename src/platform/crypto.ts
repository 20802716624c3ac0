import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/** 256-bit token from the CSPRNG, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url')
}

/**
 * AES-256-GCM with a fresh 96-bit nonce per value. The key is derived from
 * TESSERA_SECRET_KEY with HKDF and the key id is stored with the ciphertext
 * (`v1:<keyId>:<nonce>:<ciphertext>:<tag>`) so keys can be rotated.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>()

  constructor(
    private readonly currentKeyId: string,
    secret: Buffer,
    previous: Record<string, Buffer> = {},
  ) {
    this.keys.set(currentKeyId, SecretBox.derive(secret))
    for (const [id, value] of Object.entries(previous)) {
      this.keys.set(id, SecretBox.derive(value))
    }
  }

  private static derive(secret: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, Buffer.from('tessera'), Buffer.from('tessera-secret-box-v1'), 32))
  }

  encrypt(plain: string, associatedData = ''): string {
    const key = this.keys.get(this.currentKeyId)
    if (!key) {
      throw new Error('no current encryption key')
    }
    const nonce = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(Buffer.from(associatedData))
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return ['v1', this.currentKeyId, nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':')
  }

  decrypt(sealed: string, associatedData = ''): string {
    const [version, keyId, nonce, body, tag] = sealed.split(':')
    const key = keyId ? this.keys.get(keyId) : undefined
    if (version !== 'v1' || !key || !nonce || body === undefined || !tag) {
      throw new Error('cannot decrypt: unknown format or key id')
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'))
    decipher.setAAD(Buffer.from(associatedData))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }
}
