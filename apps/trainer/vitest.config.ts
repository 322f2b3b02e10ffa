import { packageConfig } from "../../vitest.shared.ts";

// Tests spawn child processes (SIGINT, resume, emit), so give them room on 2-core CI.
export default packageConfig({ timeout: 120_000 });
