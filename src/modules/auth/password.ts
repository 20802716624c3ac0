import { hash, verify } from '@node-rs/argon2'
import { AppError } from '../../platform/errors.ts'

// argon2id with OWASP's minimum: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// Verifying against this keeps the response time of unknown emails equal to known ones.
let dummyHash: Promise<string> | undefined
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('tessera-timing-equalizer')
  await verifyPassword(await dummyHash, password)
}

export function assertPasswordPolicy(password: string, minLength: number, field = 'password'): void {
  if (password.length < minLength) {
    throw new AppError('weak_password', 400, `The password must be at least ${minLength} characters long`, { details: [{ field, message: `must be at least ${minLength} characters` }] })
  }
  if (password.length > 256) {
    throw new AppError('weak_password', 400, 'The password must be at most 256 characters long', { details: [{ field, message: 'must be at most 256 characters' }] })
  }
  if (new Set(password).size < 4) {
    throw new AppError('weak_password', 400, 'The password is too repetitive; use more different characters', { details: [{ field, message: 'is too repetitive' }] })
  }
}
