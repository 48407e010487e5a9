import { WaggleError } from '@waggle/schema'
import { Show, createSignal, onMount, type JSX } from 'solid-js'
import type { ConversationModel } from '../../bind/model.ts'
import { useApp } from '../context.ts'

/**
 * The message box: Enter sends, Shift+Enter breaks the line, an IME composition never sends.
 * It grows with its text up to about eight lines (CSS max-height), then scrolls.
 */
export function Composer(props: { conversation: ConversationModel; onSent: () => void }): JSX.Element {
  const app = useApp()
  const c = props.conversation
  const [text, setText] = createSignal(app.drafts.get(c.conv) ?? '')
  const [error, setError] = createSignal<string | null>(null)
  let area!: HTMLTextAreaElement

  const fit = (): void => {
    area.style.height = 'auto'
    area.style.height = `${area.scrollHeight + area.offsetHeight - area.clientHeight}px`
  }

  function update(value: string): void {
    setText(value)
    setError(null)
    if (value === '') app.drafts.delete(c.conv)
    else app.drafts.set(c.conv, value)
    fit()
  }

  function send(): void {
    const value = text().trim()
    if (value === '' || c.cannotSend() !== null) return
    try {
      c.send(value)
    } catch (err) {
      if (!(err instanceof WaggleError)) throw err
      setError(err.message)
      return
    }
    update('')
    props.onSent()
  }

  function onKeyDown(e: KeyboardEvent): void {
    // keyCode 229: Safari ends a composition with an Enter keydown that has isComposing false.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return
    e.preventDefault()
    send()
  }

  onMount(() => {
    fit()
    // On a wide screen with a mouse, typing can start at once; on phones focus would open the keyboard.
    if (matchMedia('(min-width: 768px) and (pointer: fine)').matches && c.cannotSend() === null) area.focus({ preventScroll: true })
  })

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send() }}>
      <Show when={c.cannotSend()}>{(why) => <p class="cannot-send" id="cannot-send">{why()}</p>}</Show>
      <Show when={error()}>{(m) => <p class="composer-error" role="alert">{m()}</p>}</Show>
      <div class="composer-box">
        <textarea
          ref={(e) => (area = e)} aria-label="Message" rows={1} placeholder="Write a message…" value={text()}
          disabled={c.cannotSend() !== null} aria-describedby={c.cannotSend() !== null ? 'cannot-send' : undefined}
          aria-invalid={error() !== null} enterkeyhint="send"
          onInput={(e) => update(e.currentTarget.value)} onKeyDown={onKeyDown}
        />
        <button type="submit" class="send-button" aria-label="Send" disabled={c.cannotSend() !== null}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><path d="M3 10 17 3l-4 14-3-5.5Zm7 1.5L17 3" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" /></svg>
        </button>
      </div>
    </form>
  )
}
