import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

/**
 * The archive is a plain POSIX tar (ustar), so `tar tf backup.tar` lists it and `tar xf`
 * unpacks it without Tessera. Only what a backup needs: regular files with short names.
 */

const BLOCK = 512

function header(name: string, size: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`)
  const block = Buffer.alloc(BLOCK)
  const field = (value: string, offset: number, length: number) => block.write(value, offset, length, 'utf8')
  const octal = (value: number, offset: number, length: number) => field(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length)
  field(name, 0, 100)
  octal(0o644, 100, 8)
  octal(0, 108, 8)
  octal(0, 116, 8)
  octal(size, 124, 12)
  octal(Math.floor(mtime.getTime() / 1000), 136, 12)
  field('        ', 148, 8)
  field('0', 156, 1)
  field('ustar\u000000', 257, 8)
  field('tessera', 265, 32)
  field('tessera', 297, 32)
  let sum = 0
  for (const byte of block) sum += byte
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
  return block
}

/** Writes `entries` (archive name → file on disk) into one tar file. */
export async function writeTar(out: string, entries: Array<{ name: string; file: string }>): Promise<void> {
  const output = createWriteStream(out, { mode: 0o600 })
  const write = (chunk: Buffer) => new Promise<void>((resolve, reject) => output.write(chunk, (error) => (error ? reject(error) : resolve())))
  try {
    for (const entry of entries) {
      const { size, mtime } = await stat(entry.file)
      await write(header(entry.name, size, mtime))
      for await (const chunk of createReadStream(entry.file)) await write(chunk as Buffer)
      const padding = (BLOCK - (size % BLOCK)) % BLOCK
      if (padding) await write(Buffer.alloc(padding))
    }
    await write(Buffer.alloc(BLOCK * 2))
  } finally {
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())))
  }
}

/** Unpacks a tar written by writeTar into dir; returns the entry names in archive order. */
export async function extractTar(file: string, dir: string): Promise<string[]> {
  const handle = await open(file, 'r')
  const names: string[] = []
  try {
    const block = Buffer.alloc(BLOCK)
    let position = 0
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, position)
      if (bytesRead < BLOCK) throw new Error(`${file} is not a complete backup archive (truncated tar)`)
      position += BLOCK
      if (block.every((byte) => byte === 0)) return names
      if (block.toString('latin1', 257, 262) !== 'ustar') throw new Error(`${file} is not a Tessera backup archive (not a tar file)`)
      const name = block.toString('utf8', 0, 100).replace(/\0.*$/s, '')
      const size = Number.parseInt(block.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8)
      if (!/^[a-z0-9_./-]+$/i.test(name) || name.split('/').includes('..') || name.startsWith('/')) {
        throw new Error(`${file} contains an unexpected entry "${name}"`)
      }
      const target = path.join(dir, name)
      await mkdir(path.dirname(target), { recursive: true })
      if (size > 0) {
        await pipeline(createReadStream(file, { start: position, end: position + size - 1 }), createWriteStream(target))
      } else {
        await writeFile(target, '')
      }
      names.push(name)
      position += size + ((BLOCK - (size % BLOCK)) % BLOCK)
    }
  } finally {
    await handle.close()
  }
}

/** The first entry of a tar (a backup's manifest.json) without unpacking the rest. */
export async function readFirstEntry(file: string, maxBytes = 64 * 1024 * 1024): Promise<{ name: string; data: Buffer }> {
  const handle = await open(file, 'r')
  try {
    const block = Buffer.alloc(BLOCK)
    const { bytesRead } = await handle.read(block, 0, BLOCK, 0)
    if (bytesRead < BLOCK || block.toString('latin1', 257, 262) !== 'ustar') throw new Error(`${file} is not a Tessera backup archive (not a tar file)`)
    const name = block.toString('utf8', 0, 100).replace(/\0.*$/s, '')
    const size = Number.parseInt(block.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8)
    if (size > maxBytes) throw new Error(`${file}: first entry too large`)
    const data = Buffer.alloc(size)
    await handle.read(data, 0, size, BLOCK)
    return { name, data }
  } finally {
    await handle.close()
  }
}
