import { EMAIL_PATTERN, WaggleError } from '@waggle/schema'
import { For, Show, createSignal, createUniqueId, type JSX } from 'solid-js'
import type { NewContact, SearchModel } from '../../bind/model.ts'
import { Dialog } from '../Dialog.tsx'

/** What the "Contact" card shows of someone without an email address (no chat possible). */
export interface ContactCard {
  name: string
  company: string
  phones: string[]
}

/** A contact without an email address: name, company and numbers to call. */
export function ContactCardDialog(props: { contact: ContactCard; onClose: () => void }): JSX.Element {
  return (
    <Dialog title="Contact" class="dialog-narrow" onClose={() => props.onClose()}>
      {(close) => (
        <div class="contact-card">
          <p class="contact-card-name">{props.contact.name}</p>
          <Show when={props.contact.company !== ''}><p class="contact-card-company">{props.contact.company}</p></Show>
          <Show when={props.contact.phones.length > 0} fallback={<p class="hint">No phone number.</p>}>
            <ul class="contact-card-phones" aria-label="Phone numbers">
              <For each={props.contact.phones}>
                {(phone) => <li><a href={`tel:${phone.replace(/[^\d+]/g, '')}`}>{phone}</a></li>}
              </For>
            </ul>
          </Show>
          <p class="hint">This contact has no email address, so there is no conversation with them.</p>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Close</button>
          </div>
        </div>
      )}
    </Dialog>
  )
}

interface Errors {
  name?: string | undefined
  phone?: string | undefined
  email?: string | undefined
  form?: string | undefined
}

const PHONE = /^\+?[0-9 ()./-]{1,40}$/

/**
 * "Create contact" for a phone number nobody has: name (required), the number (prefilled),
 * email and company (optional). Saved to the workspace phonebook through the relay.
 */
export function CreateContactDialog(props: { search: SearchModel; phone: string; onClose: (created: boolean) => void }): JSX.Element {
  const id = createUniqueId()
  const [name, setName] = createSignal('')
  const [phone, setPhone] = createSignal(props.phone)
  const [email, setEmail] = createSignal('')
  const [company, setCompany] = createSignal('')
  const [errors, setErrors] = createSignal<Errors>({})
  const [busy, setBusy] = createSignal(false)
  let created = false

  function validate(): Errors {
    const found: Errors = {}
    if (name().trim() === '') found.name = 'Enter a name.'
    else if (name().trim().length > 200) found.name = 'A name is at most 200 characters.'
    const number = phone().trim()
    if (number === '') found.phone = 'Enter a phone number.'
    else if (!PHONE.test(number)) found.phone = 'A phone number has digits, spaces and an optional leading +.'
    const address = email().trim()
    if (address !== '' && !EMAIL_PATTERN.test(address)) found.email = 'Enter a valid email address, or leave it empty.'
    return found
  }

  async function submit(e: SubmitEvent, close: () => void): Promise<void> {
    e.preventDefault()
    if (busy()) return
    const found = validate()
    setErrors(found)
    const first = found.name !== undefined ? 'name' : found.phone !== undefined ? 'phone' : found.email !== undefined ? 'email' : null
    if (first !== null) {
      document.getElementById(`${id}-${first}`)?.focus()
      return
    }
    const contact: NewContact = { name: name().trim(), phones: [phone().trim()] }
    if (email().trim() !== '') contact.email = email().trim().toLowerCase()
    if (company().trim() !== '') contact.company = company().trim()
    setBusy(true)
    try {
      await props.search.createContact(contact)
      created = true
      close()
    } catch (err) {
      setErrors({ form: err instanceof WaggleError || err instanceof Error ? err.message : 'Could not create the contact.' })
    } finally {
      setBusy(false)
    }
  }

  const field = (key: 'name' | 'phone' | 'email' | 'company', label: string, value: () => string, set: (v: string) => void, extra: JSX.InputHTMLAttributes<HTMLInputElement>): JSX.Element => {
    const error = () => (key === 'company' ? undefined : errors()[key])
    return (
      <div class="field">
        <label for={`${id}-${key}`}>{label}</label>
        <input id={`${id}-${key}`} autocomplete="off" value={value()} readOnly={busy()} {...extra}
          aria-invalid={error() !== undefined} aria-describedby={error() !== undefined ? `${id}-${key}-error` : undefined}
          onInput={(e) => { set(e.currentTarget.value); setErrors((x) => ({ ...x, [key]: undefined })) }} />
        <Show when={error()}>{(m) => <p class="field-error" id={`${id}-${key}-error`} role="alert">{m()}</p>}</Show>
      </div>
    )
  }

  return (
    <Dialog title="Create contact" class="dialog-narrow" onClose={() => props.onClose(created)}>
      {(close) => (
        <form class="dialog-form" novalidate aria-busy={busy()} onSubmit={(e) => void submit(e, close)}>
          {field('name', 'Name', name, setName, { required: true, maxLength: 200, autofocus: true })}
          {field('phone', 'Phone', phone, setPhone, { type: 'tel', required: true, maxLength: 40 })}
          {field('email', 'Email (optional)', email, setEmail, { type: 'email', maxLength: 320 })}
          {field('company', 'Company (optional)', company, setCompany, { maxLength: 200 })}
          <p class="field-hint">The contact is saved to the company phonebook: your colleagues see it too.</p>
          <Show when={errors().form}>{(m) => <p class="form-error" role="alert">{m()}</p>}</Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Cancel</button>
            <button type="submit" class="button button-primary" disabled={busy()}>{busy() ? 'Creating…' : 'Create'}</button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
