// Types of vite-plugin-pwa's `virtual:pwa-register` module (client/src/pwa/registerServiceWorker.ts).
/// <reference types="vite-plugin-pwa/vanillajs" />
