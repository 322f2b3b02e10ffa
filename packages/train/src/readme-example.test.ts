import { expect, test } from "vitest";
import { main } from "../test/readme-example.ts";

test("README example: fit, evaluate, predict and weights without any name syncing", () => {
  const lines: string[] = [];
  const { history, result, one, copied } = main((...args) => lines.push(args.join(" ")));
  expect(history.epochs.length).toBeGreaterThan(3);
  expect(history.epochs[history.epochs.length - 1].loss).toBeLessThan(history.epochs[0].loss);
  expect(result.rows).toBe(250);
  expect(result.metrics.accuracy).toBeGreaterThan(0.9);
  expect(one).toHaveLength(3);
  expect(copied).toEqual(one);
  expect(lines[0]).toMatch(/^epoch 0: loss \d/);
});
