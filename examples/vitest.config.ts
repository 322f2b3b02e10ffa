import { packageConfig } from "../vitest.shared.ts";

export default packageConfig({ timeout: 120_000 });
