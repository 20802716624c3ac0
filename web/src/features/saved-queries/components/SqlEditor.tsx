import { useEffect, useRef, useState } from 'react'
import type { Dialect, SqlEditorHandle } from '../codemirror.ts'

/**
 * The SQL editor: CodeMirror with SQL highlighting for the source's dialect, loaded on first
 * use. Until it has loaded (or if it can't), a plain text area edits the same text.
 */
export function SqlEditor({ value, onChange, onRun, dialect, readOnly = false, label = 'SQL' }: { value: string; onChange: (text: string) => void; onRun: () => void; dialect: Dialect; readOnly?: boolean; label?: string }) {
  const host = useRef<HTMLDivElement>(null)
  const editor = useRef<SqlEditorHandle | undefined>(undefined)
  const [ready, setReady] = useState(false)
  const [failed, setFailed] = useState(false)
  // The latest callbacks, so the editor (created once) never calls stale ones.
  const callbacks = useRef({ onChange, onRun })
  callbacks.current = { onChange, onRun }
  const initial = useRef({ value, dialect, readOnly, label })

  useEffect(() => {
    let cancelled = false
    import('../codemirror.ts').then(
      (module) => {
        if (cancelled || !host.current) return
        const start = initial.current
        editor.current = module.createSqlEditor(host.current, {
          text: start.value,
          dialect: start.dialect,
          label: start.label,
          readOnly: start.readOnly,
          onChange: (text) => callbacks.current.onChange(text),
          onRun: () => callbacks.current.onRun(),
        })
        setReady(true)
      },
      () => setFailed(true),
    )
    return () => {
      cancelled = true
      editor.current?.destroy()
      editor.current = undefined
    }
  }, [])

  useEffect(() => {
    initial.current.value = value
    editor.current?.setText(value)
  }, [value])

  useEffect(() => {
    initial.current.dialect = dialect
    editor.current?.setDialect(dialect)
  }, [dialect])

  return (
    <div className="sql-editor">
      <div ref={host} className="sql-editor-host" hidden={!ready} />
      {ready ? null : (
        <textarea
          className="sql-editor-fallback"
          aria-label={label}
          value={value}
          readOnly={readOnly}
          spellCheck={false}
          rows={10}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) onRun()
          }}
        />
      )}
      {failed ? <p className="field-hint">The syntax highlighter could not be loaded; the plain editor works the same.</p> : null}
    </div>
  )
}
