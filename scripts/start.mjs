// `npm start`: builds the client, then starts the relay on the embedded default
// (SQLite in ./data, demo workspace, http://127.0.0.1:8787). Environment: see sync-server/README.md.
import { spawn, spawnSync } from 'node:child_process'
import process from 'node:process'

const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

const server = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
