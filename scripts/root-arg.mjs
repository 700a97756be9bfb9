// The command line of the repository scripts that take one optional ROOT (bench-table,
// check-deps): `--help` / `-h` prints the usage and exits 0; an option, a second argument or a
// ROOT that is not a directory is refused with one line on stderr and exit 2, so a mistyped flag
// is not read as a repository path (it was: `--help` became ROOT).
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";

/**
 * ROOT from `argv` (process.argv.slice(2)), else `fallback`. `usage`: what `--help` prints.
 */
export function rootArg(argv, fallback, usage) {
  const name = basename(process.argv[1] ?? "script");
  const fail = (why) => {
    process.stderr.write(`${name}: ${why} (--help for usage)\n`);
    process.exit(2);
  };
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const option = argv.find((a) => a.startsWith("-"));
  if (option !== undefined) fail(`unknown option ${option}`);
  if (argv.length > 1) fail(`one ROOT at most, got ${argv.length} arguments`);
  if (argv.length === 0) return fallback;
  const root = resolve(argv[0]);
  if (!existsSync(root) || !statSync(root).isDirectory()) fail(`ROOT ${argv[0]} is not a directory`);
  return root;
}
