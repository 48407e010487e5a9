import type { DocName } from '@waggle/schema'

/** An awareness state as the app sets it (JSON: y-protocols sends it as a string). */
export type AwarenessState = Record<string, unknown>

interface TabState {
  state: AwarenessState | null
  stamp: number
}

/**
 * Every tab's latest `setAwareness` call per document, mirrored in every tab of the device (tabs
 * tell each other with `awareness` messages), so whichever tab leads can send the device's state
 * after a hand-over. The device has one state per document: the newest non-null one of its tabs
 * (newest by stamp, ties by tab id), so a tab that withdraws or closes leaves the others' in place.
 */
export class TabAwareness {
  readonly #docs = new Map<DocName, Map<string, TabState>>()
  #clock = 0

  /** A stamp newer than any this tab has made or seen. */
  stamp(): number {
    this.#clock = Math.max(Date.now(), this.#clock + 1)
    return this.#clock
  }

  /** Records `tab`'s call unless an newer one is known; true when it was recorded. */
  set(doc: DocName, tab: string, state: AwarenessState | null, stamp: number): boolean {
    if (stamp > this.#clock) this.#clock = stamp
    let tabs = this.#docs.get(doc)
    const prev = tabs?.get(tab)
    if (prev !== undefined && prev.stamp >= stamp) return false
    if (tabs === undefined) {
      tabs = new Map()
      this.#docs.set(doc, tabs)
    }
    tabs.set(tab, { state, stamp })
    return true
  }

  /** Forgets a tab that went away; returns the documents it had a state in. */
  dropTab(tab: string): DocName[] {
    const changed: DocName[] = []
    for (const [doc, tabs] of this.#docs) {
      if (!tabs.delete(tab)) continue
      changed.push(doc)
      if (tabs.size === 0) this.#docs.delete(doc)
    }
    return changed
  }

  /** The device's state in `doc`: the newest non-null one of its tabs. */
  device(doc: DocName): AwarenessState | null {
    let best: { tab: string; state: AwarenessState; stamp: number } | null = null
    for (const [tab, { state, stamp }] of this.#docs.get(doc) ?? []) {
      if (state === null) continue
      if (best === null || stamp > best.stamp || (stamp === best.stamp && tab > best.tab)) best = { tab, state, stamp }
    }
    return best?.state ?? null
  }

  /** `tab`'s own calls, to tell a tab that started later. */
  of(tab: string): { doc: DocName; state: AwarenessState | null; stamp: number }[] {
    const out: { doc: DocName; state: AwarenessState | null; stamp: number }[] = []
    for (const [doc, tabs] of this.#docs) {
      const mine = tabs.get(tab)
      if (mine !== undefined) out.push({ doc, ...mine })
    }
    return out
  }
}
