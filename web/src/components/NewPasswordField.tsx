import { MIN_PASSWORD_LENGTH } from '../lib/validate.ts'
import { TextField, type TextFieldProps } from './Field.tsx'

/**
 * A password being chosen: marked `new-password` so password managers offer to generate one,
 * with the length rule as its hint.
 */
export function NewPasswordField({
  label = 'Password',
  name = 'password',
  minimumLength = MIN_PASSWORD_LENGTH,
  ...rest
}: Omit<TextFieldProps, 'label' | 'name' | 'type' | 'autoComplete' | 'hint'> & { label?: string; name?: string; minimumLength?: number }) {
  return <TextField {...rest} label={label} name={name} type="password" autoComplete="new-password" hint={`At least ${minimumLength} characters.`} />
}
