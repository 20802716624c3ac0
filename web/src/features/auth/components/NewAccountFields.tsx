import type { Dispatch, SetStateAction } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { NewPasswordField } from '../../../components/NewPasswordField.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import { looksLikeEmail, newPasswordRule, type Rule } from '../../../lib/validate.ts'

export interface NewAccount {
  name: string
  email: string
  password: string
}

/** The checks the server makes of a new account, so the common mistakes show before a round trip. */
export function newAccountRules(account: NewAccount): Rule[] {
  return [
    ['name', account.name.trim() !== '', 'Enter your name'],
    ['email', looksLikeEmail(account.email), 'Enter an email address like you@example.com'],
    newPasswordRule('password', account.password),
  ]
}

/** What the registration and setup endpoints take: the name and address without stray spaces. */
export function trimmedAccount(account: NewAccount): NewAccount {
  return { name: account.name.trim(), email: account.email.trim(), password: account.password }
}

/** Name, email and password of an account being created, by registration or by the first-run setup. */
export function NewAccountFields({
  account,
  onChange,
  fieldErrors,
  autoFocus = false,
  emailHint,
}: {
  account: NewAccount
  onChange: Dispatch<SetStateAction<NewAccount>>
  fieldErrors: FieldErrors
  autoFocus?: boolean
  emailHint?: string | undefined
}) {
  const set = (key: keyof NewAccount) => (value: string) => onChange((current) => ({ ...current, [key]: value }))
  return (
    <>
      <TextField label="Your name" name="name" value={account.name} onChange={set('name')} error={fieldErrors.name} autoComplete="name" autoFocus={autoFocus} />
      <TextField label="Email" name="email" type="email" value={account.email} onChange={set('email')} error={fieldErrors.email} autoComplete="email" hint={emailHint} />
      <NewPasswordField value={account.password} onChange={set('password')} error={fieldErrors.password} />
    </>
  )
}
