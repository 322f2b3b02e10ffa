import { tinyConfig } from "./configs.ts";
import { describeAgreementWithReference } from "./testing/agree-with-reference.ts";

describeAgreementWithReference("the tiny MLP", tinyConfig, 7, 4);
