/**
 * The page's entry: registers the gpu backend (importing @axon/backend-gpu is all it takes; gpu.js
 * uses WebGL2 in a browser), starts the playground with the spirals MLP, and exposes it as
 * `globalThis.playground` for the browser test and for poking at it from the devtools console.
 */
import '@axon/backend-gpu';
import { Playground } from './app';
import { defaultConfig } from './model/config';
import { SettingsForm } from './view/form';

declare global {
  // A global for the browser test and the console (`var` is how a global is declared).
  var playground: Playground;
}

const app = new Playground(new SettingsForm(), import.meta.env.BASE_URL);
globalThis.playground = app;
app.start(defaultConfig('spirals')).catch((e: unknown) => {
  const msg = document.getElementById('message');
  if (msg) msg.textContent = `The playground could not start: ${e instanceof Error ? e.message : String(e)}`;
});
