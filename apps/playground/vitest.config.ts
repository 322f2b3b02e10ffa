import { packageConfig } from "../../vitest.shared.ts";

// The browser suite builds the app and drives Chromium: give it room on a busy 2-core machine.
export default packageConfig({ timeout: 180_000 });
