export function Logo({ compact = false }: { compact?: boolean }) {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" fill="var(--color-primary)" />
        <path d="M8 8h7v7H8zM17 8h7v7h-7zM8 17h7v7H8z" fill="#fff" />
        <path d="M17 17h7v7h-7z" fill="#a5b4fc" />
      </svg>
      {compact ? null : <span className="logo-text">Tessera</span>}
    </span>
  )
}
