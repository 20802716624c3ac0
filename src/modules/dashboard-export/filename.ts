/**
 * Content-Disposition for a download named after a title. The plain filename is ASCII only
 * (letters, digits, dashes); filename* (RFC 6266/5987) carries the title itself in UTF-8 with
 * every character a file system or a header could choke on removed.
 */

const MAX_LENGTH = 100

function asciiName(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LENGTH)
    .replace(/-+$/g, '')
  return base || 'export'
}

function unicodeName(title: string): string {
  // eslint-disable-next-line no-control-regex
  const name = title.replace(/[\u0000-\u001f\u007f/\\<>:"|?*]+/g, ' ').replace(/\s+/g, ' ').replace(/^[\s.]+|[\s.]+$/g, '').slice(0, MAX_LENGTH).trim()
  return /[\p{L}\p{N}]/u.test(name) ? name : ''
}

const rfc5987 = (value: string) => encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)

export function attachment(title: string, extension: string): string {
  const ascii = `${asciiName(title)}.${extension}`
  const unicode = unicodeName(title)
  return unicode ? `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(`${unicode}.${extension}`)}` : `attachment; filename="${ascii}"`
}
