import type { ConvId, UserId } from '@waggle/schema'
import { useNavigate } from '@solidjs/router'
import { For, Show, createSignal, onCleanup, type JSX } from 'solid-js'
import { Dialog } from '../../Dialog.tsx'
import { useApp } from '../../context.ts'
import { PresenceDot, PresenceText, StatusLine, usePresence } from '../../Presence.tsx'
import { AddMembersDialog } from './AddMembersDialog.tsx'
import { PictureField } from './PictureField.tsx'
import './groups.css'

/** The header's "Conversation info" button and the dialog it opens (groups only). */
export function GroupInfoButton(props: { conv: ConvId }): JSX.Element {
  const [open, setOpen] = createSignal(false)
  return (
    <>
      <button type="button" class="icon-button" aria-label="Conversation info" onClick={() => setOpen(true)}>
        <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="7.5" fill="none" stroke="currentColor" stroke-width="1.6" /><path d="M10 9v5M10 6.2v.1" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" /></svg>
      </button>
      <Show when={open()}><GroupInfoPanel conv={props.conv} onClose={() => setOpen(false)} /></Show>
    </>
  )
}

/** Picture, title and description, members (add, remove), the join link, and Leave. */
export function GroupInfoPanel(props: { conv: ConvId; onClose: () => void }): JSX.Element {
  const { model } = useApp()
  const navigate = useNavigate()
  const group = model.groups.openInfo(props.conv)
  onCleanup(() => group.dispose())
  const [adding, setAdding] = createSignal(false)
  const [confirmLeave, setConfirmLeave] = createSignal(false)
  const [copied, setCopied] = createSignal(false)
  const link = (token: string) => `${location.origin}/join/${token}`
  const present = () => new Set<UserId>(group.info()?.members.map((m) => m.id) ?? [])
  return (
    <Dialog title="Conversation info" onClose={props.onClose} class="group-info">
      {(close) => (
        <Show when={group.info()} fallback={<p>Loading…</p>}>
          {(info) => (
            <div class="group-info-body">
              <PictureField picture={info().picture} canEdit={info().canManage} onChange={(picture) => model.groups.updateInfo(props.conv, { picture })} />
              <Show when={info().canManage} fallback={<><h3>{info().title}</h3><p>{info().description}</p></>}>
                <form class="group-info-form" onSubmit={(e) => {
                  e.preventDefault()
                  const field = (name: string) => e.currentTarget.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? ''
                  model.groups.updateInfo(props.conv, { title: field('title'), description: field('description') })
                }}>
                  <label>Name <input name="title" value={info().title} required maxLength={200} /></label>
                  <label>Description <textarea name="description" value={info().description} maxLength={2000} /></label>
                  <button type="submit" class="button secondary">Save</button>
                </form>
                <button type="button" role="switch" class="switch" aria-checked={info().linkToken !== null}
                  onClick={() => model.groups.setAvailableByLink(props.conv, info().linkToken === null)}>Available by link</button>
              </Show>
              <Show when={info().linkToken}>
                {(token) => (
                  <p class="group-link">
                    <input readOnly aria-label="Invitation link" value={link(token())} />
                    <button type="button" class="button secondary" onClick={() => {
                      navigator.clipboard.writeText(link(token())).then(() => setCopied(true), () => setCopied(false))
                    }}>{copied() ? 'Copied' : 'Copy link'}</button>
                  </p>
                )}
              </Show>
              <Show when={!info().external}>
                <section aria-label="Members">
                  <h3>{info().memberCount} members</h3>
                  <Show when={info().canManage}>
                    <button type="button" class="button secondary" onClick={() => setAdding(true)}>Add members</button>
                  </Show>
                  <ul class="group-members">
                    <For each={info().members}>{(m) => (
                      <li>
                        <MemberName user={m.id} name={`${m.name}${m.role === 'owner' ? ' (owner)' : m.role === 'guest' ? ' (external)' : ''}`} />
                        <Show when={info().canManage && m.id !== model.me.userId}>
                          <button type="button" class="button link" aria-label={`Remove ${m.name}`} onClick={() => model.groups.removeMember(props.conv, m.id)}>Remove</button>
                        </Show>
                      </li>
                    )}</For>
                  </ul>
                </section>
              </Show>
              <Show when={confirmLeave()} fallback={<button type="button" class="button danger" onClick={() => setConfirmLeave(true)}>Leave</button>}>
                <div role="group" aria-label="Leave the conversation?">
                  <p>Leave “{info().title}”? You will no longer see it.</p>
                  <button type="button" class="button secondary" onClick={() => setConfirmLeave(false)}>Stay</button>
                  <button type="button" class="button danger" onClick={() => {
                    model.groups.leave(props.conv)
                    close()
                    navigate('/')
                  }}>Leave conversation</button>
                </div>
              </Show>
              <Show when={adding()}><AddMembersDialog conv={props.conv} present={present()} onClose={() => setAdding(false)} /></Show>
            </div>
          )}
        </Show>
      )}
    </Dialog>
  )
}

/** A member's presence dot, name (with its accessible presence text) and status line; the presence is read while the row is shown. */
function MemberName(props: { user: UserId; name: string }): JSX.Element {
  const presence = usePresence(() => props.user)
  return (
    <span class="member">
      <PresenceDot presence={presence()} />
      <span class="member-text">
        <span class="member-name">{props.name}</span>
        <PresenceText presence={presence()} prefix=", " />
        <StatusLine presence={presence()} />
      </span>
    </span>
  )
}
