/**
 * Loaded into every relay process (`node --expose-gc --import tsx --import probe.ts …`): on the
 * IPC message `gc` it collects garbage twice and answers with its memory, so the benchmark
 * reads a settled RSS. Nothing else; the relay's own code is unchanged.
 */
const collect = (globalThis as { gc?: () => void }).gc

process.on('message', (message: unknown) => {
  if (message !== 'gc' || process.send === undefined) return
  collect?.()
  collect?.()
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
  process.send({ rss, heapUsed, external, arrayBuffers })
})
// The IPC channel must not keep a relay alive that would otherwise exit.
process.channel?.unref()
