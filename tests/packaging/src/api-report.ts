// The public API report: every name a package entry exports, with its signature or members, as
// the type checker sees it. Committed under docs/api/; the api-report test fails when an entry's
// surface changes without the report being regenerated (`pnpm api-report`).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The public entries: report file name, package specifier and source file. */
export const ENTRIES = [
  { report: "stepwise-core.md", specifier: "@stepwise/core", source: "packages/core/src/index.ts" },
  { report: "stepwise-data.md", specifier: "@stepwise/data", source: "packages/data/src/index.ts" },
  {
    report: "stepwise-data-tfjs.md",
    specifier: "@stepwise/data/tfjs",
    source: "packages/data/src/tfjs/index.ts",
  },
  // What bundlers pick for browsers (every condition but `node`).
  {
    report: "stepwise-data-browser.md",
    specifier: "@stepwise/data (browser)",
    source: "packages/data/src/browser.ts",
  },
  {
    report: "stepwise-data-tfjs-browser.md",
    specifier: "@stepwise/data/tfjs (browser)",
    source: "packages/data/src/tfjs/browser.ts",
  },
] as const;

export const REPORT_DIR = join(ROOT, "docs/api");

const FLAGS =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.WriteArrayAsGenericType;

function compilerOptions(): ts.CompilerOptions {
  const file = join(ROOT, "tsconfig.base.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;
}

/** Members of a class or interface, one line each (private and `#` members left out). */
function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  const lines: string[] = [];
  for (const signature of type.getConstructSignatures())
    lines.push(`new${checker.signatureToString(signature, at, FLAGS)}`);
  for (const signature of type.getCallSignatures())
    lines.push(checker.signatureToString(signature, at, FLAGS));
  for (const property of checker.getPropertiesOfType(type)) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const modifiers = declaration ? ts.getCombinedModifierFlags(declaration) : 0;
    if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || property.name.startsWith("#"))
      continue;
    const propertyType = checker.getTypeOfSymbolAtLocation(property, at);
    const readonly = modifiers & ts.ModifierFlags.Readonly ? "readonly " : "";
    const optional = property.flags & ts.SymbolFlags.Optional ? "?" : "";
    const signatures = property.flags & ts.SymbolFlags.Method ? propertyType.getCallSignatures() : [];
    if (signatures.length > 0) {
      for (const s of signatures)
        lines.push(`${property.name}${optional}${checker.signatureToString(s, at, FLAGS)}`);
    } else {
      lines.push(`${readonly}${property.name}${optional}: ${checker.typeToString(propertyType, at, FLAGS)}`);
    }
  }
  return lines.map((line) => `  ${line}`);
}

/** One exported name as report lines. */
function describe(checker: ts.TypeChecker, exported: ts.Symbol, at: ts.Node): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const name = exported.name;
  const out: string[] = [];
  if (symbol.flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, at);
    for (const s of type.getCallSignatures())
      out.push(`function ${name}${checker.signatureToString(s, at, FLAGS)}`);
  }
  if (symbol.flags & ts.SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = checker.getTypeOfSymbolAtLocation(symbol, at);
    const base = instance.getBaseTypes?.()?.map((t) => checker.typeToString(t, at, FLAGS)) ?? [];
    out.push(`class ${name}${base.length ? ` extends ${base.join(", ")}` : ""} {`);
    out.push(
      ...statics
        .getConstructSignatures()
        .map((s) => `  constructor${checker.signatureToString(s, at, FLAGS)}`),
    );
    out.push(...members(checker, instance, at), "}");
  } else if (symbol.flags & ts.SymbolFlags.Interface) {
    out.push(`interface ${name} {`, ...members(checker, checker.getDeclaredTypeOfSymbol(symbol), at), "}");
  } else if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    const declaration = symbol.declarations?.find(ts.isTypeAliasDeclaration);
    const text = declaration ? declaration.type.getText().replace(/\s+/g, " ") : "?";
    out.push(`type ${name} = ${text}`);
  }
  if (symbol.flags & ts.SymbolFlags.Variable) {
    out.push(
      `const ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, at), at, FLAGS)}`,
    );
  }
  if (out.length === 0) out.push(`${name} (${ts.SymbolFlags[symbol.flags] ?? symbol.flags})`);
  return out;
}

/** The report of every entry, by report file name. */
export function apiReports(): Map<string, string> {
  const program = ts.createProgram(
    ENTRIES.map((e) => join(ROOT, e.source)),
    compilerOptions(),
  );
  const checker = program.getTypeChecker();
  const reports = new Map<string, string>();
  for (const entry of ENTRIES) {
    const file = program.getSourceFile(join(ROOT, entry.source));
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!file || !moduleSymbol) throw new Error(`${entry.source}: not a module`);
    const exported = checker
      .getExportsOfModule(moduleSymbol)
      .sort((a, b) => a.name.localeCompare(b.name, "en"));
    // Types the entry does not export print as `import("/abs/path").Name`: keep the name only.
    const blocks = exported.map((symbol) =>
      describe(checker, symbol, file)
        .join("\n")
        .replace(/import\("[^"]*"\)\./g, ""),
    );
    reports.set(
      entry.report,
      [
        `# ${entry.specifier}: public API (${exported.length} names)`,
        "",
        "Generated by `pnpm api-report` from the entry's types; the api-report test fails when the",
        "entry's surface differs from this file. Review the difference, then regenerate.",
        "",
        "```ts",
        blocks.join("\n\n"),
        "```",
        "",
      ].join("\n"),
    );
  }
  return reports;
}

/** The committed report, or null when there is none. */
export function committedReport(name: string): string | null {
  try {
    return readFileSync(join(REPORT_DIR, name), "utf8");
  } catch {
    return null;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(REPORT_DIR, { recursive: true });
  for (const [name, text] of apiReports()) writeFileSync(join(REPORT_DIR, name), text);
  console.log(`API reports written to docs/api/ (${ENTRIES.map((e) => e.report).join(", ")})`);
}
