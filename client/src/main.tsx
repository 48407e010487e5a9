import { render } from 'solid-js/web'
import { App } from './ui/App.tsx'
import { registerServiceWorker } from './pwa/registerServiceWorker.ts'

const root = document.getElementById('root')
if (root === null) throw new Error('No #root element')
render(() => <App />, root)
registerServiceWorker()
