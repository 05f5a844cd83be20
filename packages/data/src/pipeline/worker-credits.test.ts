import { describe, expect, it } from "vitest";
import { Credits } from "./worker-credits.ts";

describe("Credits", () => {
  it("2 credits → two takes at once, the third waits for a grant", async () => {
    const credits = new Credits(2);
    expect(await credits.take()).toBe(true);
    expect(await credits.take()).toBe(true);
    expect(credits.exhausted).toBe(true);
    let third: boolean | null = null;
    const pending = credits.take().then((taken) => {
      third = taken;
    });
    await Promise.resolve();
    expect(third).toBeNull();
    credits.grant(1);
    await pending;
    expect(third).toBe(true);
  });

  it("cancel while waiting → the take resolves false, and so does every later one", async () => {
    const credits = new Credits(0);
    const pending = credits.take();
    credits.cancel();
    expect(await pending).toBe(false);
    credits.grant(5);
    expect(await credits.take()).toBe(false);
    expect(credits.cancelled).toBe(true);
  });
});
