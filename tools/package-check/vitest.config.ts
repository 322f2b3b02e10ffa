import { packageConfig } from "../../vitest.shared.ts";

export default packageConfig({ timeout: 240_000 });
