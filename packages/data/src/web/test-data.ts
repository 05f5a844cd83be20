// CSV text for the browser sources' tests, in Node and in Chromium.

/** Mixed data: numbers (some long, some exponents), a categorical column, quoted fields with a line break, one row with a field too many (data row 17, line 21). */
export function mixedCsv(numRows: number): string {
  const lines = ["a,b,colour,note,label"];
  for (let i = 0; i < numRows; i++) {
    const a = i % 7 === 0 ? `${i}.123456789012` : `${(i * 0.37).toFixed(3)}`;
    const b = i % 11 === 0 ? `${i}e-3` : `${-i / 4}`;
    const colour = ["red", "green", "blé"][i % 3];
    const note = i % 13 === 0 ? `"line\nbreak ${i}"` : `n${i}`;
    const label = ["x", "y"][i % 2];
    lines.push(`${a},${b},${colour},${note},${label}${i === 17 ? ",extra" : ""}`);
  }
  return `${lines.join("\n")}\n`;
}
