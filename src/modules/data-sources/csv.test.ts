import { describe, expect, it } from 'vitest'
import { CsvParser, detectDelimiter, headerNames, inferColumns, toRecord } from './csv.ts'

function parse(text: string, delimiter = ',', chunkSize = text.length || 1): string[][] {
  const parser = new CsvParser(delimiter)
  const rows: string[][] = []
  for (let i = 0; i < text.length; i += chunkSize) {
    rows.push(...parser.feed(text.slice(i, i + chunkSize)).map((row) => row.fields))
  }
  rows.push(...parser.finish().map((row) => row.fields))
  return rows
}

const TRICKY = 'id,text,n\r\n1,"a, b",2\r\n2,"say ""hi""",3\r\n3,"two\nlines",4\n4,,5\r5,"",6\n\n6,plain "quote",7'
const TRICKY_ROWS = [
  ['id', 'text', 'n'],
  ['1', 'a, b', '2'],
  ['2', 'say "hi"', '3'],
  ['3', 'two\nlines', '4'],
  ['4', '', '5'],
  ['5', '', '6'],
  ['6', 'plain "quote"', '7'],
]

describe(CsvParser.name, () => {
  it('parses quoted fields, escaped quotes, embedded delimiters and line breaks, and every line ending', () => {
    expect(parse(TRICKY)).toEqual(TRICKY_ROWS)
  })

  it('gives the same rows whatever the chunk boundaries', () => {
    for (let size = 1; size <= TRICKY.length; size++) {
      expect(parse(TRICKY, ',', size), `chunks of ${size}`).toEqual(TRICKY_ROWS)
    }
  })

  it('reports where each row ends, line end included', () => {
    const parser = new CsvParser()
    const rows = [...parser.feed('a,b\r\n1,2\n3,4'), ...parser.finish()]
    expect(rows.map((row) => row.end)).toEqual([5, 9, 12])
  })

  it('handles other delimiters and a trailing line end', () => {
    expect(parse('a;b\n1;"x;y"\n', ';')).toEqual([['a', 'b'], ['1', 'x;y']])
    expect(parse('a\tb\n1\t2\n', '\t')).toEqual([['a', 'b'], ['1', '2']])
  })

  it('refuses an unterminated quoted field', () => {
    expect(() => parse('a,b\n1,"open\n')).toThrow(/unterminated quoted field/)
  })
})

describe(detectDelimiter.name, () => {
  it.each([
    ['a,b,c\n1,2,3', ','],
    ['a;b;c\n1;2;3', ';'],
    ['a\tb\n1\t2', '\t'],
    ['a|b|c', '|'],
    ['"x;y",b,c', ','],
    ['single', ','],
  ])('detects the delimiter of %j', (sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected)
  })
})

describe(inferColumns.name, () => {
  it('infers integer, number, boolean, timestamp and string, blanks aside', () => {
    const names = headerNames(['id', 'price', 'ok', 'at', 'name', '', 'id', 'mixed', 'empty'])
    expect(names).toEqual(['id', 'price', 'ok', 'at', 'name', 'column_6', 'id_2', 'mixed', 'empty'])
    const columns = inferColumns(names, [
      ['1', '1.5', 'true', '2024-01-01T10:00:00Z', 'a', 'x', '7', '1', ''],
      ['2', '3', 'FALSE', '2024-01-02', 'b', 'y', '', 'abc', ''],
      ['', '-2e3', '', '', '', '', '9', '2', ''],
    ])
    expect(columns.map((column) => column.type)).toEqual(['integer', 'number', 'boolean', 'timestamp', 'string', 'string', 'integer', 'string', 'string'])
  })

  it('converts values by type, keeps what does not fit as text and extra fields under _extra', () => {
    const columns = inferColumns(['id', 'price', 'ok', 'name'], [['1', '2.5', 'true', 'x']])
    expect(toRecord(columns, ['7', '0.25', 'False', 'y'])).toEqual({ id: 7, price: 0.25, ok: false, name: 'y' })
    expect(toRecord(columns, ['n/a', '', 'maybe'])).toEqual({ id: 'n/a', price: null, ok: 'maybe', name: null })
    expect(toRecord(columns, ['1', '2', 'true', 'x', 'extra'])).toEqual({ id: 1, price: 2, ok: true, name: 'x', _extra: ['extra'] })
  })
})
