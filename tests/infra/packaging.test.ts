/**
 * `pulumi up` runs infra/index.ts under `node --import tsx` from the operator's install. CI images often
 * install with `npm ci --omit=dev`, so everything the program loads must be a runtime dependency.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.join(__dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  engines: { node: string };
};

/** Bare package names imported by `entry` and every project file it imports, transitively. */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    // Type-only imports are erased by tsx and load nothing.
    for (const [, specifier = ""] of source.matchAll(/^import (?!type )[^;]*?from "([^"]+)";/gms)) {
      if (specifier.startsWith(".")) {
        const base = path.resolve(path.dirname(file), specifier);
        const candidates = [`${base}.ts`, path.join(base, "index.ts")];
        const found = candidates.find((candidate) => {
          try {
            readFileSync(candidate);
            return true;
          } catch {
            return false;
          }
        });
        if (found) visit(found);
      } else if (!specifier.startsWith("node:")) {
        const parts = specifier.split("/");
        packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier));
      }
    }
  };
  visit(entry);
  return packages;
}

test("every package the Pulumi program loads is a runtime dependency (npm ci --omit=dev keeps it)", () => {
  const loaded = packagesLoadedBy(path.join(root, "infra/index.ts"));
  expect(loaded).toContain("@pulumi/pulumi");
  expect(loaded).toContain("@pulumi/aws");
  for (const name of loaded)
    expect({ name, dependency: name in pkg.dependencies }).toEqual({ name, dependency: true });
});

test("the TypeScript loader Pulumi.yaml names is a runtime dependency, and engines allow `--import`", () => {
  const project = parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    runtime: { options: { nodeargs: string } };
  };
  expect(project.runtime.options.nodeargs).toBe("--import tsx");
  expect(pkg.dependencies).toHaveProperty("tsx");
  // `node --import` exists from Node 20.6 on.
  expect(pkg.engines.node).toBe(">=20.6");
});
