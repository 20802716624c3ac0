import { describe, expect, it } from 'vitest'
import { formatBytes } from './PageStorage.tsx'

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 kB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB')
  })
})
