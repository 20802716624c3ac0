import { isIP } from 'node:net'

/**
 * IP address parsing and classification for outbound requests (safe-fetch). Addresses are
 * parsed into bytes by a real parser, never matched with regular expressions, so every
 * spelling of an address (decimal 2130706433, octal 0177.0.0.1, hex 0x7f.1, IPv4-mapped
 * ::ffff:7f00:1) classifies the same way.
 */

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'cloud metadata'
  | 'broadcast'
  | 'reserved'

export interface ParsedAddress {
  family: 4 | 6
  bytes: Uint8Array
}

/**
 * Parses an IPv4 host the way the WHATWG URL parser and inet_aton do: 1 to 4 parts, each
 * decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes. Returns
 * undefined when the string is not an IPv4 address in any notation.
 */
export function parseIPv4(input: string): Uint8Array | undefined {
  const parts = input.split('.')
  if (parts.length > 1 && parts[parts.length - 1] === '') {
    parts.pop() // a trailing dot is allowed, as in URLs
  }
  if (parts.length === 0 || parts.length > 4) {
    return undefined
  }
  const numbers: number[] = []
  for (const part of parts) {
    const value = parseIPv4Number(part)
    if (value === undefined) {
      return undefined
    }
    numbers.push(value)
  }
  const last = numbers.pop() ?? 0
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) {
    return undefined
  }
  let value = last
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i)
  })
  return new Uint8Array([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255])
}

function parseIPv4Number(part: string): number | undefined {
  if (part === '') {
    return undefined
  }
  let radix = 10
  let digits = part
  if (/^0x/i.test(part)) {
    radix = 16
    digits = part.slice(2)
  } else if (part.length > 1 && part.startsWith('0')) {
    radix = 8
    digits = part.slice(1)
  }
  if (digits === '') {
    return 0 // "0x" alone is zero
  }
  const alphabet = radix === 16 ? '0123456789abcdef' : radix === 8 ? '01234567' : '0123456789'
  let value = 0
  for (const char of digits.toLowerCase()) {
    const digit = alphabet.indexOf(char)
    if (digit < 0) {
      return undefined
    }
    value = value * radix + digit
    if (value > 0xffffffff) {
      return undefined
    }
  }
  return value
}

/** Parses an IPv6 address (with an optional zone id and embedded IPv4 tail) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | undefined {
  let address = input.replace(/%.*$/, '') // a zone id (fe80::1%eth0) does not change the class
  if (isIP(address) !== 6) {
    return undefined
  }
  // Rewrite a dotted IPv4 tail as two hex groups: ::ffff:127.0.0.1 → ::ffff:7f00:1.
  const lastColon = address.lastIndexOf(':')
  const tail = address.slice(lastColon + 1)
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail)
    if (!v4) {
      return undefined
    }
    address = `${address.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`
  }
  const halves = address.split('::')
  const groupsOf = (text: string | undefined) => (text ? text.split(':').map((g) => parseInt(g, 16)) : [])
  const left = groupsOf(halves[0])
  const right = groupsOf(halves[1])
  const words = halves.length === 2 ? [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right] : left
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) {
    return undefined
  }
  const bytes = new Uint8Array(16)
  words.forEach((word, i) => {
    bytes[i * 2] = (word >> 8) & 255
    bytes[i * 2 + 1] = word & 255
  })
  return bytes
}

/** Parses an IP literal in any notation (IPv6 with or without brackets). */
export function parseAddress(input: string): ParsedAddress | undefined {
  const host = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input
  if (host.includes(':')) {
    const bytes = parseIPv6(host)
    return bytes && { family: 6, bytes }
  }
  const bytes = parseIPv4(host)
  return bytes && { family: 4, bytes }
}

export function formatAddress(address: ParsedAddress): string {
  if (address.family === 4) {
    return Array.from(address.bytes).join('.')
  }
  const words: string[] = []
  for (let i = 0; i < 16; i += 2) {
    words.push(((address.bytes[i]! << 8) | address.bytes[i + 1]!).toString(16))
  }
  // Compress the longest run of zero words (RFC 5952).
  let best = { start: -1, length: 0 }
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === '0') {
      j++
    }
    if (j - i > best.length && j - i > 1) {
      best = { start: i, length: j - i }
    }
    i = j
  }
  if (best.start < 0) {
    return words.join(':')
  }
  return `${words.slice(0, best.start).join(':')}::${words.slice(best.start + best.length).join(':')}`
}

const prefixMatches = (bytes: Uint8Array, prefix: number[], bits: number): boolean => {
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) {
      return false
    }
  }
  return true
}

const V4_RANGES: Array<[number[], number, AddressClass]> = [
  [[169, 254, 169, 254], 32, 'cloud metadata'],
  [[100, 100, 100, 200], 32, 'cloud metadata'], // Alibaba Cloud
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'reserved'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[198, 51, 100, 0], 24, 'reserved'],
  [[203, 0, 113, 0], 24, 'reserved'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
]

const V6_RANGES: Array<[number[], number, AddressClass]> = [
  [[0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54], 128, 'cloud metadata'], // fd00:ec2::254
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard prefix
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'private'], // deprecated site-local
  [[0xfc, 0x00], 7, 'unique-local'],
  [[0xff, 0x00], 8, 'multicast'],
]

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
export function embeddedIPv4(bytes: Uint8Array): Uint8Array | undefined {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0)
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated; not :: or ::1)
  if (zeros(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (zeros(10, 12) && !zeros(12, 15)))) {
    return bytes.slice(12, 16)
  }
  // 64:ff9b::/96 NAT64 and 2002::/16 6to4 both reach an IPv4 address.
  if (prefixMatches(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) {
    return bytes.slice(12, 16)
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    return bytes.slice(2, 6)
  }
  return undefined
}

/** Classifies an address; anything but 'public' is refused unless allowlisted. */
export function classifyAddress(address: ParsedAddress): AddressClass {
  if (address.family === 6) {
    const v4 = embeddedIPv4(address.bytes)
    if (v4) {
      return classifyAddress({ family: 4, bytes: v4 })
    }
  }
  const ranges = address.family === 4 ? V4_RANGES : V6_RANGES
  for (const [prefix, bits, kind] of ranges) {
    if (prefixMatches(address.bytes, prefix, bits)) {
      return kind
    }
  }
  return 'public'
}

/** A CIDR (or a single address) from the outbound allowlist. */
export interface Cidr {
  address: ParsedAddress
  bits: number
}

export function parseCidr(input: string): Cidr | undefined {
  const [base = '', bitsText] = input.split('/')
  const address = parseAddress(base)
  if (!address) {
    return undefined
  }
  const max = address.family === 4 ? 32 : 128
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    return undefined
  }
  return { address, bits }
}

export function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.address.family !== address.family) {
    // An IPv4 allowlist entry also covers the IPv4-mapped form of the address.
    const v4 = address.family === 6 ? embeddedIPv4(address.bytes) : undefined
    return v4 !== undefined && cidr.address.family === 4 && prefixMatches(v4, Array.from(cidr.address.bytes), cidr.bits)
  }
  return prefixMatches(address.bytes, Array.from(cidr.address.bytes), cidr.bits)
}
