export type { Program, KernelGroup, BufferPlan, Schedule } from "./program.ts";
export { unfusedSchedule, programRoots, groupKind } from "./schedule.ts";
