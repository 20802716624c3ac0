import { api } from '../../lib/api.ts'
import type { MeResponse, SignedInResponse } from './types.ts'

export interface SetupState {
  required: boolean
  tokenRequired: boolean
}

export const authApi = {
  setupState: () => api.get<SetupState>('/setup'),
  setup: (body: { email: string; password: string; name: string; setupToken?: string }) => api.post<SignedInResponse>('/setup', body),
  me: () => api.get<MeResponse>('/me', undefined, { quiet401: true }),
  register: (body: { email: string; password: string; name: string; invitationToken?: string }) =>
    api.post<{ status: string; message: string }>('/auth/register', body, { quiet401: true }),
  login: (body: { email: string; password: string }) => api.post<SignedInResponse>('/auth/login', body, { quiet401: true }),
  loginMfa: (code: string) => api.post<SignedInResponse>('/auth/login/mfa', { code }, { quiet401: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { quiet401: true }),
  forgotPassword: (email: string) => api.post<{ status?: string; message?: string }>('/auth/password/forgot', { email }, { quiet401: true }),
  resetPassword: (token: string, password: string) => api.post<unknown>('/auth/password/reset', { token, password }, { quiet401: true }),
  verifyEmail: (token: string) => api.post<unknown>('/auth/email/verify', { token }, { quiet401: true }),
}
