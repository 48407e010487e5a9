import {
  OFFLINE_GRACE_MS, Origin, PresenceAwarenessSchema, Reason, WaggleError, calendarStatus, clearAtFor, conferenceStatus, docName, effectiveStatus,
  lastSeenText, newCommandId, nextStatusChange, onlineState, readAutoStatus, readLastSeen, readStatus, removeSavedStatus, saveStatus,
  savedStatuses, statusLine, visibleLength, writeAutoStatus, writeStatus, Limits,
  type Availability, type AutoStatus, type OnlineState, type SavedStatus, type Status, type UserId,
} from '@waggle/schema'
import * as v from 'valibot'
import type * as Y from 'yjs'
import { createMemo, createSignal, onCleanup, type Accessor } from 'solid-js'
import type { DocHandle, SyncClient } from '../sync/index.ts'
import { onDocChange } from './docs.ts'
import type { PersonPresence, PresenceModel, StatusInput } from './model.ts'

/** How often the clock behind "Last seen 5 minutes ago" and the online window ticks. */
const TICK_MS = 10_000

export interface PresenceDeps {
  me: UserId
  sync: Pick<SyncClient, 'open' | 'setAwareness' | 'awarenessStates' | 'onAwareness' | 'deviceActivity' | 'onDeviceActivity'>
  privateDoc: Y.Doc
  /** Writes to the private document once its stored copy is in. */
  writePrivate: (write: () => void) => void
  privateVersion: Accessor<number>
  canModifyOthers: boolean
  now: () => number
  /** Formats a time of day for "until 14:00". */
  formatTime?: (time: number) => string
}

/** One person's presence document and the awareness of their devices in it. */
interface Watched {
  handle: DocHandle
  refs: number
  version: Accessor<number>
  stop: () => void
  /** The latest non-empty list of device activity times, and when it became empty (the offline grace). */
  lastActives: number[]
  emptiedAt: number | null
}

const defaultFormatTime = (time: number): string => new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

/** The `lastActive` of every device state in a presence document's awareness that is the user's own. */
export function deviceActivities(user: UserId, states: ReadonlyMap<number, Record<string, unknown>>): number[] {
  const out: number[] = []
  for (const state of states.values()) {
    const r = v.safeParse(PresenceAwarenessSchema, state)
    if (r.success && r.output.user === user) out.push(r.output.lastActive)
  }
  return out
}

/**
 * Presence (issue 5): opens `user/{u}/presence` for each person on screen (reference-counted),
 * combines their chosen and automatic status with the awareness of their devices, and keeps it
 * current with a clock, so a clear-after that passed while offline is applied on time on every
 * device. This device announces itself in the user's own presence document with the last time
 * the user touched any of its tabs.
 */
export function createPresence(deps: PresenceDeps): PresenceModel & { dispose(): void } {
  const { me, sync } = deps
  const formatTime = deps.formatTime ?? defaultFormatTime
  const [now, setNow] = createSignal(deps.now())
  const tick = () => setNow(deps.now())
  const ticker = setInterval(tick, TICK_MS)
  let wake: ReturnType<typeof setTimeout> | undefined
  const watched = new Map<UserId, Watched>()

  function acquire(user: UserId): Watched {
    const existing = watched.get(user)
    if (existing !== undefined) {
      existing.refs++
      return existing
    }
    const name = docName.presence(user)
    const handle = sync.open(name)
    const [version, setVersion] = createSignal(0)
    const bump = () => setVersion((n) => n + 1)
    const stopDoc = onDocChange(handle.doc, bump)
    const stopAwareness = sync.onAwareness(name, bump)
    void handle.loaded.then(bump)
    const entry: Watched = {
      handle, refs: 1, version, lastActives: [], emptiedAt: null,
      stop: () => {
        stopDoc()
        stopAwareness()
        handle.release()
      },
    }
    watched.set(user, entry)
    return entry
  }

  function release(user: UserId): void {
    const entry = watched.get(user)
    if (entry === undefined || --entry.refs > 0) return
    entry.stop()
    watched.delete(user)
  }

  /** Device activity of `user` from awareness; a user whose last device just went keeps it for a short grace (tab hand-over). */
  function activities(user: UserId, entry: Watched, at: number): number[] {
    const live = deviceActivities(user, sync.awarenessStates(docName.presence(user)))
    if (user === me) live.push(ownActivity())
    if (live.length > 0) {
      entry.lastActives = live
      entry.emptiedAt = null
      return live
    }
    if (entry.lastActives.length === 0) return []
    entry.emptiedAt ??= at
    if (at - entry.emptiedAt < OFFLINE_GRACE_MS) return entry.lastActives
    entry.lastActives = []
    return []
  }

  function presenceOf(user: UserId, entry: Watched): PersonPresence | null {
    entry.version()
    const at = now()
    const doc = entry.handle.doc
    const status = readStatus(doc)
    const auto = readAutoStatus(doc)
    const online: OnlineState = onlineState(activities(user, entry, at), readLastSeen(doc), at)
    scheduleWake(nextStatusChange(status, auto, at), entry.emptiedAt === null ? null : entry.emptiedAt + OFFLINE_GRACE_MS)
    const shown = effectiveStatus(status, auto, at)
    return { status: shown, online, line: statusLine(shown, formatTime), seen: lastSeenText(online, at) }
  }

  /** Re-reads at the next moment a status changes by itself (clear-after, end of a conference). */
  function scheduleWake(...times: (number | null)[]): void {
    const next = times.filter((t): t is number => t !== null).sort((a, b) => a - b)[0]
    if (next === undefined) return
    const delay = Math.max(0, next - deps.now()) + 5
    if (delay >= TICK_MS) return
    if (wake !== undefined) clearTimeout(wake)
    wake = setTimeout(tick, delay)
  }

  // --- this device in the user's own presence document -----------------------------------------
  const own = acquire(me)
  const ownName = docName.presence(me)
  const [activity, setActivity] = createSignal(sync.deviceActivity())
  const ownActivity = () => activity()
  const announce = (lastActive: number) => sync.setAwareness(ownName, { user: me, lastActive })
  announce(activity())
  const stopActivity = sync.onDeviceActivity((time) => {
    setActivity(time)
    announce(time)
  })

  const mine = createMemo((): PersonPresence => presenceOf(me, own) ?? {
    status: { availability: 'available', message: null, emoji: null, until: null, source: 'default' },
    online: { kind: 'online' }, line: null, seen: 'Online',
  })

  const write = (doc: Y.Doc, status: Omit<Status, 'updatedAt' | 'updatedBy'>) => {
    writeStatus(doc, { ...status, updatedAt: deps.now(), updatedBy: me }, Origin.local)
  }
  const writeAuto = (auto: AutoStatus | null) => writeAutoStatus(own.handle.doc, auto, Origin.local)

  const model: PresenceModel & { dispose(): void } = {
    of(user) {
      const entry = acquire(user)
      onCleanup(() => release(user))
      return createMemo(() => presenceOf(user, entry))
    },
    mine,
    setAvailability(availability: Availability) {
      // Keeps the message and its clear-after: only the colour changes.
      const current = readStatus(own.handle.doc)
      const keep = current !== undefined && (current.clearAt === undefined || current.clearAt > deps.now())
      write(own.handle.doc, keep ? { ...withoutMeta(current), availability } : { availability })
    },
    setStatus(input: StatusInput) {
      const message = input.message.trim()
      if (visibleLength(message) > Limits.statusMessageLength) {
        throw new WaggleError(Reason.invalidContent, `A status message is at most ${Limits.statusMessageLength} characters`)
      }
      const clearAt = clearAtFor(input.clearAfter, deps.now())
      write(own.handle.doc, {
        availability: input.availability,
        ...(message === '' ? {} : { message }),
        ...(input.emoji === null ? {} : { emoji: input.emoji }),
        ...(clearAt === undefined ? {} : { clearAt }),
      })
      if (input.save && message !== '') {
        const saved: SavedStatus = { id: newCommandId(), availability: input.availability, message, emoji: input.emoji, clearAfter: input.clearAfter }
        deps.writePrivate(() => saveStatus(deps.privateDoc, saved, Origin.local))
      }
    },
    clearStatus() {
      write(own.handle.doc, { availability: 'available' })
    },
    saved: createMemo(() => {
      deps.privateVersion()
      return savedStatuses(deps.privateDoc)
    }),
    removeSaved(id) {
      deps.writePrivate(() => removeSavedStatus(deps.privateDoc, id, Origin.local))
    },
    canModifyOthers: deps.canModifyOthers,
    setAvailabilityOf(user, availability) {
      if (user === me) return model.setAvailability(availability)
      if (!deps.canModifyOthers) throw new WaggleError(Reason.forbidden, 'You may not change colleagues’ presence')
      const entry = acquire(user)
      // Written once the stored copy is in, so it merges with the status already there.
      void entry.handle.loaded.then(() => {
        const current = readStatus(entry.handle.doc)
        write(entry.handle.doc, current === undefined ? { availability } : { ...withoutMeta(current), availability })
      }).finally(() => release(user))
    },
    startConference(until) {
      writeAuto(conferenceStatus(deps.now(), until))
    },
    endConference() {
      if (readAutoStatus(own.handle.doc)?.kind === 'conference') writeAuto(null)
    },
    setCalendarEvent(event) {
      if (event === null) {
        if (readAutoStatus(own.handle.doc)?.kind === 'calendar') writeAuto(null)
        return
      }
      writeAuto(calendarStatus(event.title, event.start, event.end))
    },
    dispose() {
      clearInterval(ticker)
      if (wake !== undefined) clearTimeout(wake)
      stopActivity()
      sync.setAwareness(ownName, null)
      for (const entry of watched.values()) entry.stop()
      watched.clear()
    },
  }
  return model
}

function withoutMeta(status: Status): Omit<Status, 'updatedAt' | 'updatedBy'> {
  const { updatedAt: _at, updatedBy: _by, ...rest } = status
  return rest
}

