// Bundled for Chromium by browser.test.ts: the README example's run, its numbers written into the page.
import { main } from "./readme-example.ts";

const { history, result, one } = main(() => {});
// The ES lib this package compiles against has no DOM types.
const page = globalThis as unknown as { document: { body: { textContent: string } } };
page.document.body.textContent = JSON.stringify({ losses: history.epochs.map((e) => e.loss), status: history.status, result, one: Array.from(one) });
