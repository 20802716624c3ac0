import { useEffect, useState } from 'react'

/** Markdown rendered to sanitized HTML (marked + DOMPurify, loaded on demand). */
export function TextWidget({ markdown }: { markdown: string }) {
  const [html, setHtml] = useState<string | undefined>(undefined)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let cancelled = false
    import('../markdown.ts').then(
      (module) => {
        if (!cancelled) setHtml(module.renderMarkdown(markdown))
      },
      () => setFailed(true),
    )
    return () => {
      cancelled = true
    }
  }, [markdown])
  if (failed) return <p className="muted">{markdown}</p>
  if (markdown.trim() === '') return <p className="muted">This text widget is empty. Edit it to add Markdown.</p>
  // The HTML went through DOMPurify (markdown.ts): no scripts, handlers or javascript: URLs.
  return <div className="dash-markdown" dangerouslySetInnerHTML={{ __html: html ?? '' }} />
}
