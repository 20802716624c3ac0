/**
 * Markdown of text widgets to safe HTML: marked renders, DOMPurify removes scripts, event
 * handlers and javascript: links. Loaded on demand (only pages with a text widget pay for it).
 */
import DOMPurify from 'dompurify'
import { marked } from 'marked'

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false })
  const clean = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'iframe'], FORBID_ATTR: ['style'] })
  return clean
}
