import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { dataSourcesUrl } from '../../../test/data-sources.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { fetchFromSource, loadDataSourceForRun, type FetchedPage } from './fetch-source.ts'

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx.close()
})

const HEADER = 'id,name,amount,active,created_at,note\r\n'

/** A CSV of n rows with the awkward parts: quoted commas, escaped quotes and line breaks. */
function generateCsv(rows: number): string {
  const lines = [HEADER]
  for (let i = 1; i <= rows; i++) {
    const note = i % 1000 === 0 ? `"line one\nline ""two"", with comma"` : i % 7 === 0 ? '"a, b"' : ''
    lines.push(`${i},customer ${i},${(i * 1.25).toFixed(2)},${i % 2 === 0},2024-03-01T00:00:${String(i % 60).padStart(2, '0')}Z,${note}\r\n`)
  }
  return lines.join('')
}

function multipart(fileName: string, content: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----tessera${randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

async function fetchAll(id: string): Promise<FetchedPage[]> {
  const source = await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId }, (trx) => loadDataSourceForRun(trx, org.id, id, ctx.services.box))
  const pages: FetchedPage[] = []
  for await (const page of fetchFromSource(ctx.services, source)) {
    pages.push(page)
  }
  return pages
}

describe('CSV upload', () => {
  it('uploads and parses a 100,000-row file, then reads it back in pages', async () => {
    const csv = generateCsv(100_000)
    const response = await ctx.app.inject({
      method: 'POST',
      url: dataSourcesUrl(org, '/csv?name=Big%20file'),
      headers: { ...org.owner.headers, 'content-type': 'text/csv' },
      payload: csv,
    })
    expect(response.statusCode, response.body.slice(0, 300)).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({
      name: 'Big file',
      type: 'csv',
      healthStatus: 'healthy',
      hasCredentials: false,
      file: {
        name: 'Big file.csv',
        rowCount: 100_000,
        sizeBytes: Buffer.byteLength(csv),
        sha256: createHash('sha256').update(csv).digest('hex'),
        delimiter: ',',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'name', type: 'string' },
          { name: 'amount', type: 'number' },
          { name: 'active', type: 'boolean' },
          { name: 'created_at', type: 'timestamp' },
          { name: 'note', type: 'string' },
        ],
      },
      schemaMetadata: { kind: 'csv', rowCount: 100_000 },
    })
    expect(body.preview[0]).toEqual({ id: 1, name: 'customer 1', amount: 1.25, active: false, created_at: '2024-03-01T00:00:01Z', note: null })

    const pages = await fetchAll(body.id)
    expect(pages).toHaveLength(20)
    expect(pages.reduce((n, page) => n + page.records.length, 0)).toBe(100_000)
    expect(pages.reduce((n, page) => n + page.sizeBytes, 0)).toBe(Buffer.byteLength(csv) - Buffer.byteLength(HEADER))
    expect(pages[0]).toMatchObject({ name: 'Big file.csv rows 1-5000', contentType: 'text/csv' })
    expect(pages[19]!.name).toBe('Big file.csv rows 95001-100000')
    expect(pages[0]!.records[999]).toMatchObject({ id: 1000, note: 'line one\nline "two", with comma' })
    expect(pages[19]!.records.at(-1)).toMatchObject({ id: 100_000, amount: 125000, active: true })
    const firstChunk = csv.slice(HEADER.length, csv.indexOf('5001,customer 5001'))
    expect(pages[0]!.sha256).toBe(createHash('sha256').update(firstChunk).digest('hex'))

    const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${body.id}/test`), headers: org.owner.headers })
    expect(tested.json()).toMatchObject({ ok: true, details: { rowCount: 100_000, columns: 6 } })
    const { rows } = await ctx.admin.query<{ size: string }>('select octet_length(content)::text as size from app.data_source_files where data_source_id = $1', [body.id])
    expect(Number(rows[0]!.size)).toBe(Buffer.byteLength(csv))
  })

  it('accepts multipart uploads, detects the delimiter and names the source after the file', async () => {
    const { payload, headers } = multipart('orders.csv', '\uFEFForder;total\n1;"9,50"\n2;3\n')
    const response = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, '/csv'), headers: { ...org.owner.headers, ...headers }, payload })
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json()).toMatchObject({ name: 'orders', file: { name: 'orders.csv', rowCount: 2, delimiter: ';', columns: [{ name: 'order', type: 'integer' }, { name: 'total', type: 'string' }] } })
    expect(response.json().preview).toEqual([{ order: 1, total: '9,50' }, { order: 2, total: '3' }])
  })

  it('refuses files over max_file_size_mb with 413 and stores nothing', async () => {
    await ctx.admin.query("update app.system_settings set setting_value = '1' where setting_key = 'max_file_size_mb'")
    try {
      const csv = generateCsv(40_000) // about 2 MB
      expect(Buffer.byteLength(csv)).toBeGreaterThan(1024 * 1024)
      const raw = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, '/csv?name=Too%20big'), headers: { ...org.owner.headers, 'content-type': 'text/csv' }, payload: csv })
      expect(raw.statusCode).toBe(413)
      expect(raw.json().error).toMatchObject({ code: 'payload_too_large', message: 'The file is larger than the 1 MB limit (setting max_file_size_mb)' })
      const { payload, headers } = multipart('too-big.csv', csv)
      const form = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, '/csv'), headers: { ...org.owner.headers, ...headers }, payload })
      expect(form.statusCode).toBe(413)
      const { rows } = await ctx.admin.query("select 1 from app.data_sources where organization_id = $1 and name in ('Too big', 'too-big')", [org.id])
      expect(rows).toEqual([])
    } finally {
      await ctx.admin.query("update app.system_settings set setting_value = '100' where setting_key = 'max_file_size_mb'")
    }
  })

  it('refuses malformed and empty files, and other content types', async () => {
    const upload = (payload: string, contentType = 'text/csv') =>
      ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/csv?name=bad-${randomBytes(3).toString('hex')}`), headers: { ...org.owner.headers, 'content-type': contentType }, payload })
    const unterminated = await upload('a,b\n1,"open\n2,3\n')
    expect(unterminated.statusCode).toBe(400)
    expect(unterminated.json().error.message).toMatch(/^The CSV file could not be parsed: unterminated quoted field/)
    const empty = await upload('')
    expect(empty.statusCode).toBe(400)
    expect(empty.json().error.message).toBe('The CSV file is empty: it needs a header row')
    expect((await upload('{"a":1}', 'application/json')).statusCode).toBe(415)
  })
})
