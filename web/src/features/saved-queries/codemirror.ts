/**
 * The CodeMirror 6 pieces of the SQL editor, imported only through a dynamic import
 * (SqlEditor), so the editor stays out of the initial bundle like ECharts does.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { MySQL, PostgreSQL, sql } from '@codemirror/lang-sql'
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language'
import { Compartment, EditorState } from '@codemirror/state'
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view'

export type Dialect = 'postgresql' | 'mysql'

export interface SqlEditorHandle {
  /** Replaces the text (a query loaded after the editor opened) without echoing onChange. */
  setText(text: string): void
  setDialect(dialect: Dialect): void
  destroy(): void
}

const dialectOf = (dialect: Dialect) => sql({ dialect: dialect === 'mysql' ? MySQL : PostgreSQL, upperCaseKeywords: false })

export function createSqlEditor(parent: HTMLElement, options: { text: string; dialect: Dialect; label: string; readOnly: boolean; onChange: (text: string) => void; onRun: () => void }): SqlEditorHandle {
  const language = new Compartment()
  let applying = false
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language.of(dialectOf(options.dialect)),
        placeholder('select … from … where created_at >= {{since}}'),
        // Ctrl/Cmd+Enter runs, as in most SQL editors; Tab indents (Escape then Tab leaves the editor).
        keymap.of([{ key: 'Mod-Enter', run: () => { options.onRun(); return true } }, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorState.readOnly.of(options.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !applying) options.onChange(update.state.doc.toString())
        }),
      ],
    }),
  })
  return {
    setText(text) {
      if (text === view.state.doc.toString()) return
      applying = true
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } })
      applying = false
    },
    setDialect(dialect) {
      view.dispatch({ effects: language.reconfigure(dialectOf(dialect)) })
    },
    destroy() {
      view.destroy()
    },
  }
}
