import {
  Origin, appendMessage, docName, isDeleted, listMessages, newMessageId,
  type ConvId, type DocName, type UserId,
} from '@waggle/schema'
import { onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { demoEmail } from '../demo/seed.ts'
import { signIn } from './relayHarness.ts'
import { PlainSocket } from './PlainSocket.ts'
import { TestClient } from './TestClient.ts'

/** Documents of the demo workspace the relay tests use. */
export const demoDocs = {
  salesTeam: docName.segment('sales-team' as ConvId, 0),
  announcements: docName.segment('announcements' as ConvId, 0),
  annaPrivate: docName.private('anna' as UserId),
} satisfies Record<string, DocName>

/** Seeded messages in `conv/sales-team/seg/0` (demo/seed.ts). */
export const SEEDED_SALES_MESSAGES = 9

/** A change that appends a message by `author` with `text` (for {@link TestClient.write}). */
export function post(author: string, text: string): (doc: Y.Doc) => void {
  return (doc) => {
    const time = Date.now()
    appendMessage(doc, { id: newMessageId(time), author: author as UserId, time, text }, Origin.local)
  }
}

/** The texts of the live messages in a segment replica, in message order. */
export function texts(doc: Y.Doc): string[] {
  return listMessages(doc).flatMap((m) => (isDeleted(m) ? [] : [m.text]))
}

/** Signs in demo user `id` over HTTP at `baseUrl`; resolves with the session token. */
export async function tokenFor(baseUrl: string, id: string): Promise<string> {
  return (await signIn(baseUrl, demoEmail(id))).token
}

/** Signs in demo user `id` and connects a {@link TestClient} to the mux endpoint `wsUrl`. */
export async function connectAs(relay: { url: string; wsUrl: string }, id: string): Promise<TestClient> {
  return TestClient.connect(relay.wsUrl, await tokenFor(relay.url, id))
}

/** A plain `/sync/` socket on `doc` as demo user `user`, synced once (step 2 received), closed after the test. */
export async function plainSynced(relay: { url: string; wsBase: string }, user: string, doc: string): Promise<PlainSocket> {
  const socket = new PlainSocket(`${relay.wsBase}/sync/${doc}?token=${encodeURIComponent(await tokenFor(relay.url, user))}`)
  onTestFinished(() => socket.close())
  await socket.opened()
  socket.sendStep1(Y.encodeStateVector(new Y.Doc()))
  await socket.step2()
  return socket
}
