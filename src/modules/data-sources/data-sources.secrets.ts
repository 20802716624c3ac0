import type { SecretBox } from '../../platform/crypto.ts'

/**
 * Credentials of a data source, sealed with the SecretBox (AES-256-GCM, a nonce per value,
 * the key id stored). The associated data binds the ciphertext to its row: copied onto
 * another source or organization, it does not decrypt.
 */
const aad = (orgId: string, id: string) => `app.data_sources:${orgId}:${id}`

export function encryptSecrets(box: SecretBox, orgId: string, id: string, secrets: Record<string, unknown> | null): string | null {
  return secrets === null ? null : box.encrypt(JSON.stringify(secrets), aad(orgId, id))
}

export function decryptSecrets(box: SecretBox, orgId: string, id: string, sealed: string | null): Record<string, unknown> | null {
  if (sealed === null) {
    return null
  }
  return JSON.parse(box.decrypt(sealed, aad(orgId, id))) as Record<string, unknown>
}
