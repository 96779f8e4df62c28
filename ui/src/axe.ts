// Entry of axe.html: the app with the Tauri IPC mocked (src/mock.ts), for the accessibility
// run in Chromium (tests/a11y.mjs). The scenario is the location hash: axe.html#found-psu.
import { mount } from "svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
import "./app.css";
import App from "./App.svelte";
import { createMock, samples, scenarioFromHash } from "./mock";

declare global {
  interface Window {
    __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void };
    /** For the test driver: emit a backend event (e.g. "watchdog"). */
    guichetMock?: {
      scenario: string;
      emit: (event: string, payload: unknown) => void;
      /** What the run types: the recorded requests (src/recorded.ts). */
      samples: ReturnType<typeof samples>;
    };
  }
}

const scenario = scenarioFromHash(location.hash);
// mockIPC installs window.__TAURI_INTERNALS__ (runCallback included) before any call.
const mock = createMock(scenario, (id, data) => window.__TAURI_INTERNALS__.runCallback(id, data));
mockIPC((cmd, args) => mock.handle(cmd, args as Record<string, unknown> | undefined));
window.guichetMock = { scenario, emit: mock.emit, samples: samples() };
document.documentElement.dataset.scenario = scenario;

const target = document.getElementById("app");
if (!target) throw new Error("#app manquant");
export default mount(App, { target });
