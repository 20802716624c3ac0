import { AppError } from '../../platform/errors.ts'

/**
 * Fixed-window counter per key (client IP) for the unauthenticated auth routes. It is
 * per process: with several API processes the effective limit multiplies by their number,
 * which still bounds password guessing together with the per-account lockout.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(private readonly windowMs = 60_000) {}

  hit(key: string, limit: number): void {
    const now = Date.now()
    const window = this.windows.get(key)
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 })
      this.sweep(now)
      return
    }
    window.count++
    if (window.count > limit) {
      const retryAfter = Math.ceil((window.start + this.windowMs - now) / 1000)
      throw new AppError('rate_limited', 429, `Too many attempts from your address; try again in ${retryAfter} s`, { headers: { 'retry-after': String(retryAfter) } })
    }
  }

  private sweep(now: number): void {
    if (this.windows.size < 10_000) {
      return
    }
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) {
        this.windows.delete(key)
      }
    }
  }
}
