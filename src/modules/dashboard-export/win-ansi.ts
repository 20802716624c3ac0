/**
 * The PDF's standard fonts (Helvetica) encode text as WinAnsi: Latin-1 plus a few typographic
 * marks. Other characters would print as garbage, so they are folded to their base letter
 * (ő → o) where one exists and shown as "?" otherwise. Standard fonts keep the PDF small and
 * the output the same on every server (no system font needed).
 */

const EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')
const REPLACEMENTS: Record<string, string> = { '≤': '<=', '≥': '>=', '→': '->', '←': '<-', '−': '-', '×': 'x', '≠': '!=', '\u00a0': ' ', '\t': ' ' }

function printable(char: string): boolean {
  const code = char.codePointAt(0)!
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || EXTRA.has(char)
}

export function winAnsi(text: string): string {
  let out = ''
  for (const char of text) {
    if (char === '\n') out += char
    else if (printable(char)) out += char
    else if (REPLACEMENTS[char] !== undefined) out += REPLACEMENTS[char]
    else {
      const base = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
      out += base.length > 0 && [...base].every(printable) ? base : '?'
    }
  }
  return out
}
