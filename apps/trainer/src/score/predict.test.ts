import { describe, expect, it } from "vitest";
import { predictionCells, predictionColumns } from "./predict.ts";

const species = {
  task: "classification" as const,
  classNames: ["setosa", "versicolor", "virginica"],
  onBadRecord: "error" as const,
};
const binary = { task: "binary" as const, classNames: ["no", "yes"], onBadRecord: "error" as const };
const regression = { task: "regression" as const, classNames: null, onBadRecord: "error" as const };

describe("prediction rows", () => {
  it.each([
    [species, undefined, ["row", "prediction", "p_setosa", "p_versicolor", "p_virginica"]],
    [binary, "id", ["id", "row", "prediction", "p_no", "p_yes"]],
    [regression, "id", ["id", "row", "prediction"]],
    [
      { ...species, onBadRecord: "skip" as const },
      undefined,
      ["row", "prediction", "p_setosa", "p_versicolor", "p_virginica", "error"],
    ],
  ] as const)("task %o with id %s → columns %j", (data, id, columns) => {
    expect(predictionColumns(data, id)).toEqual(columns);
  });

  it.each([
    [species, [0.1, 0.7, 0.2], ["versicolor", 0.1, 0.7, 0.2]],
    [species, [0.5, 0.2, 0.3], ["setosa", 0.5, 0.2, 0.3]],
    [binary, [0.75], ["yes", 0.25, 0.75]],
    [binary, [0.25], ["no", 0.75, 0.25]],
    [regression, [3.5], [3.5]],
  ] as const)("task %o, model output %j → cells %j", (data, output, cells) => {
    expect(predictionCells(data, output)).toEqual(cells);
  });
});
