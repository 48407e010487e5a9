import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { SEEDED_SALES_MESSAGES, connectAs, demoDocs, post, texts, tokenFor } from '../testing/fixtures.ts'
import { removeDir, spawnRelayProcess, startRelay, tempDataDir } from '../testing/relayHarness.ts'
import { TestClient } from '../testing/TestClient.ts'

const doc = demoDocs.salesTeam

function dataDir(): string {
  const dir = tempDataDir()
  onTestFinished(() => removeDir(dir))
  return dir
}

describe('durability across relay restarts', () => {
  test('acknowledged messages are served to a fresh client after the relay restarts on the same SQLite dir', async () => {
    const dir = dataDir()
    const first = await startRelay({ dataDir: dir })
    onTestFinished(() => first.stop())
    const token = await tokenFor(first.url, 'anna')
    const anna = await TestClient.connect(first.wsUrl, token)
    await anna.subscribe(doc)
    for (const text of ['one', 'two', 'three']) expect(await anna.write(doc, post('anna', text))).toEqual({ acked: true })
    await first.stop()
    expect((await anna.closed()).code).toBe(1001)

    const second = await startRelay({ dataDir: dir })
    onTestFinished(() => second.stop())
    // Sessions are stored too, so the same token still signs in.
    const fresh = await TestClient.connect(second.wsUrl, token)
    const { doc: replica } = await fresh.subscribe(doc)
    expect(texts(replica).slice(-3)).toEqual(['one', 'two', 'three'])
    expect(texts(replica)).toHaveLength(SEEDED_SALES_MESSAGES + 3)
  })

  test('edits made while the relay is down are sent on reconnect and every client converges', async () => {
    const dir = dataDir()
    const first = await startRelay({ dataDir: dir })
    onTestFinished(() => first.stop())
    const annaToken = await tokenFor(first.url, 'anna')
    const anna = await TestClient.connect(first.wsUrl, annaToken)
    const { doc: annaDoc } = await anna.subscribe(doc)
    expect(await anna.write(doc, post('anna', 'before the outage'))).toEqual({ acked: true })
    await first.stop()
    await anna.closed()

    // Offline: the replica changes with nobody to send it to.
    post('anna', 'written offline')(annaDoc)
    post('anna', 'also offline')(annaDoc)

    const second = await startRelay({ dataDir: dir })
    onTestFinished(() => second.stop())
    const marco = await connectAs(second, 'marco')
    const { doc: marcoDoc } = await marco.subscribe(doc)
    expect(texts(marcoDoc)).not.toContain('written offline')
    expect(await marco.write(doc, post('marco', 'while anna was away'))).toEqual({ acked: true })

    const annaAgain = await TestClient.connect(second.wsUrl, annaToken)
    await annaAgain.subscribe(doc, annaDoc)
    await marco.until(() => texts(marcoDoc).includes('also offline'), 5_000, 'anna\'s offline edits at marco')
    await annaAgain.until(() => texts(annaDoc).includes('while anna was away'), 5_000, 'marco\'s message at anna')
    expect(texts(annaDoc)).toEqual(texts(marcoDoc))
    expect(Y.encodeStateVector(annaDoc)).toEqual(Y.encodeStateVector(marcoDoc))

    // The offline edits were stored, not only forwarded: a fresh client after a restart sees them.
    await second.stop()
    const third = await startRelay({ dataDir: dir })
    onTestFinished(() => third.stop())
    const { doc: later } = await (await TestClient.connect(third.wsUrl, annaToken)).subscribe(doc)
    expect(texts(later)).toEqual(texts(annaDoc))
  })

  test('no acknowledged update is lost when the relay process is killed with SIGKILL', async () => {
    const dir = dataDir()
    const first = await spawnRelayProcess(dir)
    onTestFinished(() => first.kill9())
    const token = await tokenFor(first.url, 'anna')
    const anna = await TestClient.connect(first.wsUrl, token)
    await anna.subscribe(doc)
    const sent = Array.from({ length: 20 }, (_, i) => `durable ${i}`)
    const results = await Promise.all(sent.map((text) => anna.write(doc, post('anna', text))))
    expect(results).toEqual(sent.map(() => ({ acked: true })))
    await first.kill9()
    await anna.closed()

    const second = await spawnRelayProcess(dir)
    onTestFinished(() => second.stop())
    const fresh = await TestClient.connect(second.wsUrl, token)
    const { doc: replica } = await fresh.subscribe(doc)
    expect(texts(replica)).toEqual(expect.arrayContaining(sent))
    expect(texts(replica)).toHaveLength(SEEDED_SALES_MESSAGES + sent.length)
    await fresh.close()
  }, 30_000)
})
