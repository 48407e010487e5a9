import type { ConvId } from '@waggle/schema'
import type { NoticeSink } from './Notifier.ts'

/** The browser's notification permission, or 'unsupported' without the Notification API. */
export type NotifyPermission = NotificationPermission | 'unsupported'

export function notifyPermission(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
}

/** Asks for permission (call from a click: browsers ignore requests without a user gesture). */
export async function requestNotifyPermission(): Promise<NotifyPermission> {
  if (typeof Notification === 'undefined') return 'unsupported'
  return Notification.requestPermission()
}

const registration = async (): Promise<ServiceWorkerRegistration | undefined> =>
  typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker.getRegistration() : undefined

/**
 * Shows notifications with `new Notification` (the service worker's `showNotification` where the
 * constructor is not allowed, as on Android) and closes them by tag, including ones shown by
 * the service worker.
 */
export function browserNoticeSink(onOpen: (conv: ConvId) => void): NoticeSink | null {
  if (typeof Notification === 'undefined') return null
  const open = new Map<string, Notification>()
  const fail = (err: unknown) => console.error('waggle: notification', err)
  return {
    show(n) {
      if (Notification.permission !== 'granted') return
      const options: NotificationOptions = { body: n.body, tag: n.tag }
      try {
        const shown = new Notification(n.title, options)
        shown.onclick = () => {
          window.focus()
          onOpen(n.conv)
          shown.close()
        }
        shown.onclose = () => {
          if (open.get(n.tag) === shown) open.delete(n.tag)
        }
        open.set(n.tag, shown)
      } catch {
        registration().then((reg) => reg?.showNotification(n.title, options)).catch(fail)
      }
    },
    close(tag) {
      open.get(tag)?.close()
      open.delete(tag)
      registration()
        .then(async (reg) => (reg === undefined ? [] : reg.getNotifications({ tag })))
        .then((list) => list.forEach((x) => x.close()))
        .catch(fail)
    },
  }
}
