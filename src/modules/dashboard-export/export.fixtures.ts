import { inflateRawSync, inflateSync } from 'node:zlib'

/** Test plumbing: read back what the exports wrote (an XLSX's zip entries, a PDF's pages and text) with nothing but node:zlib. */

/** Every entry of a zip archive by name (stored or deflated), from its central directory. */
export function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) throw new Error('not a zip archive: no end of central directory')
  const count = archive.readUInt16LE(end + 10)
  let offset = archive.readUInt32LE(end + 16)
  const entries = new Map<string, Buffer>()
  for (let index = 0; index < count; index++) {
    if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory header at ${offset}`)
    const method = archive.readUInt16LE(offset + 10)
    const size = archive.readUInt32LE(offset + 20)
    const nameLength = archive.readUInt16LE(offset + 28)
    const extraLength = archive.readUInt16LE(offset + 30)
    const commentLength = archive.readUInt16LE(offset + 32)
    const local = archive.readUInt32LE(offset + 42)
    const name = archive.subarray(offset + 46, offset + 46 + nameLength).toString('utf8')
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28)
    const data = archive.subarray(start, start + size)
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

// WinAnsi's 0x80–0x9F: typographic marks where Latin-1 has control codes.
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
const winAnsiDecode = (bytes: Buffer) => [...bytes].map((byte) => (byte >= 0x80 && byte <= 0x9f ? WIN_ANSI_HIGH[byte - 0x80]! : String.fromCharCode(byte))).join('')

/** The page objects of a PDF (pdfkit writes no object streams, so they are plain text). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length
}

/**
 * The text a PDF shows, one string per text-showing operator (Tj or TJ, pdfkit writes hex
 * strings in WinAnsi for the standard fonts), read from every content stream, inflated when
 * compressed.
 */
export function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1')
  const texts: string[] = []
  const streams = /stream\r?\n/g
  let match: RegExpExecArray | null
  while ((match = streams.exec(raw)) !== null) {
    const start = match.index + match[0].length
    const end = raw.indexOf('endstream', start)
    if (end < 0) break
    const bytes = pdf.subarray(start, end)
    let content: string
    try {
      content = inflateSync(bytes).toString('latin1')
    } catch {
      content = bytes.toString('latin1')
    }
    for (const shown of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[-+\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = shown[1] !== undefined ? [...shown[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!) : [shown[2]!]
      texts.push(hexes.map((hex) => winAnsiDecode(Buffer.from(hex, 'hex'))).join(''))
    }
    streams.lastIndex = end + 'endstream'.length
  }
  return texts
}
