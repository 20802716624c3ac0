import { api } from '../../lib/api.ts'
import type { User } from '../auth/types.ts'

export interface AccountSession {
  id: string
  current: boolean
  mfaVerified: boolean
  device: string | null
  browser: string | null
  os: string | null
  ipAddress: string | null
  loginMethod: string
  createdAt: string
  lastActivityAt: string
  expiresAt: string
}

export interface TwoFactorSetup {
  secret: string
  otpauthUrl: string
  qrCodeDataUrl: string
}

export const accountApi = {
  updateProfile: (body: { name?: string; timezone?: string; locale?: string; avatarUrl?: string | null }) => api.patch<{ user: User }>('/me', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) => api.post<{ csrfToken: string }>('/me/password', body),
  resendVerification: () => api.post<{ status: string; message: string }>('/me/email/verification'),
  revokeSession: (sessionId: string) => api.delete(`/me/sessions/${sessionId}`),
  setupTwoFactor: () => api.post<TwoFactorSetup>('/me/2fa/setup'),
  enableTwoFactor: (code: string) => api.post<{ backupCodes: string[] }>('/me/2fa/enable', { code }),
  disableTwoFactor: (body: { password: string; code: string }) => api.post<void>('/me/2fa/disable', body),
  regenerateBackupCodes: (code: string) => api.post<{ backupCodes: string[] }>('/me/2fa/backup-codes', { code }),
}
