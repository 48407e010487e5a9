import { CloseCode, Origin, setSetting, setting } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { connectAs, demoDocs, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

const doc = demoDocs.annaPrivate

/** A stock y-websocket provider for `doc` on the relay's plain endpoint, destroyed after the test. */
function provider(r: Relay, token: string, ydoc: Y.Doc): WebsocketProvider {
  const p = new WebsocketProvider(`${r.wsBase}/sync`, doc, ydoc, {
    // `ws` implements the WebSocket API y-websocket needs; Node 20 has no global WebSocket.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    // Two providers in one process would otherwise sync through BroadcastChannel, not the relay.
    disableBc: true,
  })
  onTestFinished(() => p.destroy())
  return p
}

describe('stock y-websocket client on /sync/<doc>', () => {
  test('syncs the owner\'s private document both ways with a mux client', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    const { doc: muxDoc } = await anna.subscribe(doc)
    expect(await anna.write(doc, (d) => setSetting(d, 'from-mux', 'before', Origin.local))).toEqual({ acked: true })

    const stockDoc = new Y.Doc()
    const p = provider(r, await tokenFor(r.url, 'anna'), stockDoc)
    await waitFor(() => p.synced, 5_000, 'y-websocket to sync')
    expect(setting(stockDoc, 'from-mux')).toBe('before')

    setSetting(stockDoc, 'from-stock', 'hello', Origin.local)
    await anna.until(() => setting(muxDoc, 'from-stock') === 'hello', 5_000, 'the stock client\'s change at the mux client')

    expect(await anna.write(doc, (d) => setSetting(d, 'from-mux', 'after', Origin.local))).toEqual({ acked: true })
    await waitFor(() => setting(stockDoc, 'from-mux') === 'after', 5_000, 'the mux change at the stock client')
    expect(Y.encodeStateVector(stockDoc)).toEqual(Y.encodeStateVector(muxDoc))
  })

  test('with another user\'s token it is closed with 4403 and never syncs', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const closes: { code: number; reason: string }[] = []
    const syncs: boolean[] = []
    const stockDoc = new Y.Doc()
    const p = provider(r, await tokenFor(r.url, 'marco'), stockDoc)
    p.on('closed', (event) => closes.push(event))
    p.on('sync', (synced) => syncs.push(synced))

    await waitFor(() => closes.length > 0, 5_000, 'the provider to give up')
    expect(closes[0]?.code).toBe(CloseCode.forbidden)
    expect(p.shouldConnect).toBe(false)
    expect(p.synced).toBe(false)
    expect(syncs).not.toContain(true)
    expect(stockDoc.share.size).toBe(0)
  })
})
