import { createUniqueId, onCleanup, onMount, type JSX } from 'solid-js'
import './dialog.css'

interface DialogProps {
  title: string
  onClose: () => void
  /** The body; `close` closes the dialog (and then calls `onClose`). */
  children: (close: () => void) => JSX.Element
  class?: string
}

/**
 * A modal `<dialog>`: the browser traps focus, puts the rest of the page out of reach, closes on
 * Escape and returns focus to the opener. A click on the backdrop closes it too.
 */
export function Dialog(props: DialogProps): JSX.Element {
  const id = createUniqueId()
  let dialog!: HTMLDialogElement
  const close = (): void => dialog.close()
  // Only a press that starts and ends on the backdrop closes (not a text selection dragged out).
  let pressedBackdrop = false
  onMount(() => dialog.showModal())
  onCleanup(() => {
    if (dialog.open) dialog.close()
  })
  return (
    <dialog
      ref={(e) => (dialog = e)} class={`dialog ${props.class ?? ''}`} aria-labelledby={`${id}-title`}
      onClose={() => props.onClose()}
      onPointerDown={(e) => (pressedBackdrop = e.target === dialog)}
      onClick={(e) => {
        if (pressedBackdrop && e.target === dialog) close()
      }}
    >
      <div class="dialog-body">
        <header class="dialog-header">
          <h2 id={`${id}-title`}>{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={close}>
            <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><path d="m5 5 10 10M15 5 5 15" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" /></svg>
          </button>
        </header>
        {props.children(close)}
      </div>
    </dialog>
  )
}
