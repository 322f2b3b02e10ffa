import { packageConfig } from "../../vitest.shared.ts";

// The peer contenders load Wasm binaries on first use; give them room on 2-core CI.
export default packageConfig({ timeout: 120_000 });
