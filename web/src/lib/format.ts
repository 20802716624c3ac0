const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

function toDate(value: string | number | Date | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') {
    return undefined
  }
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

export function formatDateTime(value: string | number | Date | null | undefined, fallback = '—'): string {
  const date = toDate(value)
  return date ? dateTime.format(date) : fallback
}

export function formatDate(value: string | number | Date | null | undefined, fallback = '—'): string {
  const date = toDate(value)
  return date ? dateOnly.format(date) : fallback
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

export function formatRelative(value: string | number | Date | null | undefined, fallback = 'never'): string {
  const date = toDate(value)
  if (!date) {
    return fallback
  }
  const seconds = Math.round((date.getTime() - Date.now()) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 60) {
    return relative.format(seconds, 'second')
  }
  if (abs < 3600) {
    return relative.format(Math.round(seconds / 60), 'minute')
  }
  if (abs < 86400) {
    return relative.format(Math.round(seconds / 3600), 'hour')
  }
  return relative.format(Math.round(seconds / 86400), 'day')
}

export function capitalize(text: string): string {
  return text.length === 0 ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`
}

/** "Acme Analytics, Inc." → "acme-analytics-inc" (the server's slug rule: a-z, 0-9, inner dashes, ≤ 100). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/g, '')
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  const first = parts[0]?.[0] ?? '?'
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : ''
  return `${first}${last}`.toUpperCase()
}
