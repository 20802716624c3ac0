/** A star toggle; its accessible name says what pressing it does. */
export function StarButton({ starred, name, onToggle }: { starred: boolean; name: string; onToggle: () => void | Promise<void> }) {
  return (
    <button type="button" className={`dash-star${starred ? ' dash-star--on' : ''}`} aria-pressed={starred} aria-label={starred ? `Unstar ${name}` : `Star ${name}`} title={starred ? 'Starred' : 'Star'} onClick={() => void onToggle()}>
      {starred ? '★' : '☆'}
    </button>
  )
}
