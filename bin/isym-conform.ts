#!/usr/bin/env node
/**
 * The isym-conform command: parses options (commander), starts the embedded reference server when asked, runs
 * the suites (runConformance, which drives vitest) and sets the exit code: 0 conformant, 1 a MUST rule failed,
 * 2 bad usage or contract, 3 target unreachable.
 */
import { Command, CommanderError, InvalidArgumentError, Option, type OptionValues } from 'commander';
import { parseLatencyRange, startReferenceServer, DEFAULT_PASSWORD, DEFAULT_USER, type RunningReferenceServer } from '../test/reference-server/index.js';
import { startControlServer, type RunningControlServer } from '../test/reference-server/control-server.js';
import { reportFormats } from '../reporters/index.js';
import { renderOutcomeLines, renderTerminalSummary, TerminalProgress, terminalOptionsFor } from '../reporters/terminal.js';
import { ruleCatalogue } from '../reporters/vocabulary/rules.js';
import { mergeReportFiles } from '../suites/runner/merge-reports.js';
import { toolInfo } from '../suites/runner/package-root.js';
import { runConformance } from '../suites/runner/run-conformance.js';
import { checkRunInputs } from '../suites/runner/run-inputs.js';
import { runDefaults } from '../suites/run-defaults.js';
import { reportedRulesPerFamily } from '../suites/run-plan.js';
import { applyConfigFile, ConfigFileError, readConfigFile } from './config-file.js';
import { parseShard } from '../suites/work-split.js';

function integerOption(name: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${name} takes a whole number ≥ ${min}.`);
    return parsed;
  };
}

function listOption(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

function shardOption(value: string) {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function latencyOption(value: string) {
  try {
    return parseLatencyRange(value, '--embedded-latency');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** The `merge` subcommand's definition: parsed alone by {@link mergeCommand}, and listed in the main --help. */
function mergeDefinition(name: string): Command {
  return new Command(name)
    .description('Merges the conformance.json reports of the shards of one run (--shard i/n) into one report, in every format.')
    .argument('<reports...>', 'report folders (or conformance.json files), one per shard')
    .option('--report-dir <dir>', 'where the merged report is written', runDefaults.reportDir)
    .addOption(new Option('--format <formats>', `report formats, comma-separated: ${reportFormats.map((f) => f.name).join(', ')} (default: all)`).argParser(listOption))
    .option('--strict', 'fail on SHOULD rules too')
    .addHelpText('after', '\nExit codes: 0 the merged report is conformant; 1 it is not (or a shard is missing); 2 a report cannot be read or the reports are not shards of one run.\n')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

/** `isym-conform merge DIR...`: joins the reports of the shards of one run into one report. */
async function mergeCommand(argv: string[]): Promise<number> {
  const command = mergeDefinition('isym-conform merge');
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = command.opts();
  const result = await mergeReportFiles({ inputs: command.args, reportDir: options.reportDir, formats: options.format, strict: Boolean(options.strict) });
  if (result.message) process.stderr.write(`isym-conform merge: ${result.message}\n`);
  // The result on stdout, problems on stderr: `isym-conform merge … > result.txt` keeps the verdict.
  if (result.report) process.stdout.write(renderTerminalSummary(result.report, result.files, terminalOptionsFor(process.stdout)));
  return result.exitCode;
}

/** `--list-rules`: every rule of the catalogue, one line each: id, level, family, provenance, statement. */
function listRules(): string {
  const lines = [`${'id'.padEnd(18)} ${'level'.padEnd(6)} ${'family'.padEnd(10)} ${'provenance'.padEnd(10)} statement`];
  for (const rule of ruleCatalogue) {
    lines.push(`${rule.id.padEnd(18)} ${rule.level.padEnd(6)} ${rule.family.padEnd(10)} ${rule.provenance.padEnd(10)} ${rule.statement}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  if (argv[2] === 'merge') return mergeCommand(argv.slice(3));
  const program = checkerDefinition((await toolInfo()).version);
  const parsed = await checkerOptionsOf(program, argv);
  if (typeof parsed === 'number') return parsed;
  const { options, configFile } = parsed;
  const problem = await usageProblem(options);
  if (problem) {
    process.stderr.write(`isym-conform: ${problem}\n`);
    return 2;
  }
  const embedded = options.embedded ? await startEmbeddedTarget(options) : undefined;
  if (typeof embedded === 'string') {
    process.stderr.write(`isym-conform: ${embedded}\n`);
    return 2;
  }
  try {
    return await runChecker(options, configFile, embedded);
  } finally {
    await embedded?.control.stop();
    await embedded?.server.stop();
  }
}

/**
 * The checker's command with every option, its help and its exit codes. One long chain on purpose: it is the table
 * of the options, in the order --help lists them, and splitting it would only scatter that table.
 */
function checkerDefinition(version: string): Command {
  return new Command('isym-conform')
    .description('Checks a server that implements the iSymphony REST Live API against the conformance rules, and writes a report.')
    .version(version)
    .option('--config <file>', 'a JSON or JS file of options (keys: the long option names without dashes); default: isym-conform.config.json, .isym-conformrc(.json), isym-conform.config.js/.mjs/.cjs or an "isym-conform" key of package.json, in the working directory')
    .option('--target <url>', 'the Live API base, e.g. http://pbx:58080/communication_manager/rest/live (or ISYM_TARGET)')
    .option('--embedded', 'start the bundled reference server and check it (no iSymphony needed)')
    .option('--user <user>', 'HTTP Basic user (or ISYM_USER)')
    .option('--password <password>', 'HTTP Basic password (or ISYM_PASSWORD); never written to any report')
    .option('--contract <file>', 'an OpenAPI contract to check against instead of the built-in one')
    .option('--core-server <slug>', 'check only the core server with this slug')
    .option('--report-dir <dir>', 'where the reports are written', runDefaults.reportDir)
    .addOption(
      new Option('--format <formats>', `report formats, comma-separated: ${reportFormats.map((f) => f.name).join(', ')} (default: all)`).argParser(listOption),
    )
    .option('--seed <n>', 'fast-check seed, to reproduce a run (default: random, written in the report)', integerOption('--seed', 0))
    .option('--runs <n>', 'fast-check runs per property', integerOption('--runs', 1), runDefaults.numRuns)
    .option('--only <ids>', 'run only these rules: ids or family prefixes, comma-separated (e.g. ADDR,SCHEMA-RESPONSE)', listOption)
    .option('--skip <ids>', 'do not run these rules: ids or family prefixes, comma-separated', listOption)
    .option('--request-timeout <s>', 'time one request may take, seconds', integerOption('--request-timeout', 1), runDefaults.requestTimeoutMs / 1000)
    .option('--restart-cmd <shell>', 'a shell command that restarts the target, for the restart rules (it may return before the target is back)')
    .option('--ready-timeout <s>', 'how long to wait for the target to answer again after --restart-cmd, seconds', integerOption('--ready-timeout', 1), runDefaults.readyTimeoutS)
    .option('--strict', 'fail the run on SHOULD rules too')
    .option('--require-all', 'fail the run when a MUST rule was not checked (skipped), e.g. the restart rules without --restart-cmd')
    .option('--cacert <file>', "trust the CA in this PEM file for an https target (a self-signed or private CA's certificate), as curl's --cacert")
    .option('--insecure', "do not check an https target's certificate at all, as curl's -k/--insecure")
    .option('--sut <name>', 'the system under test, e.g. "iSymphony 3.2.1" or your server\'s name and version: shown at the top of the reports')
    .addOption(new Option('--verbose', 'show a line for every rule as it is decided (pass and skip too, with the reason), and the table of every rule at the end').conflicts('quiet'))
    .addOption(new Option('--quiet', 'no progress and no table: only the outcome line and the report files (problems still go to stderr)'))
    .option('--list-rules', 'print every rule (id, level, family, provenance, statement) and exit')
    .option('--baseline <file>', 'a conformance.json of an earlier run: failures already in it are reported as known and do not fail the run')
    .option('--replay <file>', 'send again the failing cases recorded in a conformance.json (with --only: of those rules) and say which still fail')
    .option('--max-time <s>', 'stop after this many seconds and write a partial report', integerOption('--max-time', 1))
    .option('--rule-timeout <s>', `time one rule may take, seconds; then it is an error and the run goes on (default ${runDefaults.ruleTimeoutMs / 1000}, more with a long --ready-timeout)`, integerOption('--rule-timeout', 1))
    .option('--concurrency <n>', 'requests in flight at once, at most: reads that do not depend on each other go out together, and the read-only rules run at once; 1 sends one request at a time, for a fragile target', integerOption('--concurrency', 1), runDefaults.concurrency)
    .option('--max-calls <n>', 'phone calls the run may place (originate), shared out among the action rules; each rings a real phone and is left to end on its own. 0: no call, the cases that need one are skipped with that reason', integerOption('--max-calls', 0), runDefaults.maxCalls)
    .addOption(new Option('--shard <i/n>', 'run only shard i of n (split over CI machines by rule; join the reports with `isym-conform merge DIR...`)').argParser(shardOption))
    .option('--embedded-size <n>', 'with --embedded: size of the generated data set', integerOption('--embedded-size', 1), 1)
    .option('--embedded-churn', 'with --embedded: let the live state churn during the run')
    .addOption(new Option('--embedded-latency <min-max>', 'with --embedded: hold each request a random MIN to MAX ms, as a slow server does (e.g. 20-60)').argParser(latencyOption))
    .option('--embedded-fault <name>', 'with --embedded: switch on a named fault of the reference server (a mutant), repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--embedded-liberal', 'with --embedded: a liberal reference server, which takes every freedom LIVE-API.md §5 leaves open the other way from the default one (its data set and orders follow --seed)')
    .addCommand(mergeDefinition('merge'))
    .helpCommand('help [command]', 'display help for the checker or for a command')
    // Options without a subcommand run the checker: this action keeps commander from asking for a subcommand.
    .action(() => {})
    .addHelpText(
      'after',
      '\nExit codes: 0 every MUST rule passed or was skipped (a skipped MUST rule is named; with --require-all it exits 1);\n' +
        '1 a MUST rule failed or could not be decided (or a SHOULD rule, with --strict);\n' +
        '2 bad usage (checked before the first request: unknown rule ids, an unwritable report folder, a target that is no http(s) URL\n' +
        '  or not the Live API base, missing or refused credentials), or an unreadable or invalid contract;\n' +
        '3 the target could not be reached (or its certificate is not trusted: see --cacert, --insecure).\n\n' +
        'Output: progress lines go to stderr; the summary and the verdict go to stdout, so `isym-conform ... > result.txt`\n' +
        '  keeps the result while a CI log still shows the progress. Problems (exit 2, 3) go to stderr.\n\n' +
        'Environment: ISYM_TARGET, ISYM_USER, ISYM_PASSWORD stand for --target, --user, --password (the command line wins).\n\n' +
        'Config file: the command line wins over the environment, which wins over the file; the file holds no credentials.\n\n' +
        'Examples:\n  isym-conform --embedded\n  isym-conform --embedded --shard 2/3 --seed 7 --report-dir shard-2   # then: isym-conform merge shard-1 shard-2 shard-3\n  ISYM_USER=manager ISYM_PASSWORD=... isym-conform --target http://pbx:58080/communication_manager/rest/live --format junit,md\n',
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

/**
 * Parses the command line and fills in, under it, the environment and the config file: the options and the config
 * file's path, or the exit code when the run ends here (--help, --version, --list-rules, a bad option or config file).
 */
async function checkerOptionsOf(program: Command, argv: string[]): Promise<{ options: OptionValues; configFile?: string } | number> {
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  if (program.opts().listRules) {
    process.stdout.write(listRules());
    return 0;
  }
  // ISYM_TARGET stands for --target, unless the command line names a target (or --embedded); it wins over the file.
  if (program.opts().target === undefined && !program.opts().embedded && process.env.ISYM_TARGET) program.setOptionValueWithSource('target', process.env.ISYM_TARGET, 'env');
  // The config file fills in what the command line and the environment left unset.
  try {
    const config = await readConfigFile(program.opts().config);
    if (config) applyConfigFile(program, config);
    return { options: program.opts(), configFile: config?.file };
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    process.stderr.write(`isym-conform: ${error.message}\n`);
    return 2;
  }
}

/** What is wrong with how the checker was asked to run (exit 2), or undefined. */
async function usageProblem(options: OptionValues): Promise<string | undefined> {
  if (!options.target === !options.embedded) return 'give either --target URL or --embedded. See isym-conform --help.';
  if (options.embedded && options.restartCmd !== undefined) {
    return '--restart-cmd goes with --target; --embedded restarts its own server. See isym-conform --help.';
  }
  // Usage errors end the run here, before a server starts or a request goes out (the run checks them again).
  const inputs = await checkRunInputs({ target: options.target, only: options.only, skip: options.skip, caFile: options.cacert, insecure: options.insecure, reportDir: options.reportDir });
  return inputs.problem;
}

/** The reference server --embedded checks, with the loopback control server its restart goes through. */
interface EmbeddedTarget {
  server: RunningReferenceServer;
  control: RunningControlServer;
}

/** Starts the reference server the --embedded options describe, and its control server; or says why it could not start. */
async function startEmbeddedTarget(options: OptionValues): Promise<EmbeddedTarget | string> {
  let server: RunningReferenceServer;
  try {
    server = await startReferenceServer({
      size: options.embeddedSize,
      churn: Boolean(options.embeddedChurn),
      faults: options.embeddedFault ?? [],
      latencyMs: options.embeddedLatency,
      ...(options.embeddedLiberal ? { liberal: true, seed: options.seed } : {}),
    });
  } catch (error) {
    return (error as Error).message;
  }
  // The restart rules restart the embedded server through a loopback control URL.
  const control = await startControlServer(server);
  if (!options.quiet) process.stderr.write(`Embedded reference server at ${server.baseUrl}${options.embeddedFault ? ` with faults ${options.embeddedFault.join(', ')}` : ''}${options.embeddedChurn ? ', churning' : ''}${options.embeddedLiberal ? ', liberal' : ''}\n`);
  return { server, control };
}

/** Runs the checker against the target (the embedded server when there is one), shows its progress and result: the exit code. */
async function runChecker(options: OptionValues, configFile: string | undefined, embedded: EmbeddedTarget | undefined): Promise<number> {
  const target: string = embedded?.server.baseUrl ?? options.target;
  // Progress goes to stderr and the result to stdout, each styled for its own stream (one may be a file, the other a
  // terminal): `isym-conform … > result.txt` keeps the verdict while a CI log still shows the progress.
  const progressTerminal = { ...terminalOptionsFor(process.stderr), everyRule: Boolean(options.verbose) };
  const resultTerminal = { ...terminalOptionsFor(process.stdout), verbose: Boolean(options.verbose) };
  // The totals of the progress lines are the rules the plan reports (a shard's, a replay's). --quiet shows no progress at all.
  const progressOptions = options.quiet ? { ...progressTerminal, write: () => {}, live: false } : progressTerminal;
  let progress = new TerminalProgress(progressOptions);
  if (!options.quiet) process.stderr.write(`Checking ${options.sut ? `${options.sut} at ` : ''}${target}${options.replay ? `: replaying the failing cases of ${options.replay}` : ''}\n`);
  const result = await runConformance({
    ...runOptionsOf(options, configFile, embedded),
    target,
    handleSigint: true,
    onPlanned: (plan) => (progress = new TerminalProgress(progressOptions, reportedRulesPerFamily(plan.rules))),
    onRuleStarted: (ruleId, family) => progress.onRuleStarted(ruleId, family),
    onRuleDecided: (result) => progress.onRuleDecided(result),
  });
  progress.finish();
  if (result.message) process.stderr.write(`isym-conform: ${result.message}\n`);
  if (result.report && options.quiet) process.stdout.write(renderOutcomeLines(result.report, result.files));
  else if (result.report) process.stdout.write(renderTerminalSummary(result.report, result.files, resultTerminal));
  return result.exitCode;
}

/** The run's settings from the options: credentials (the embedded server's by default), times in ms, the restart. */
function runOptionsOf(options: OptionValues, configFile: string | undefined, embedded: EmbeddedTarget | undefined) {
  const user: string | undefined = options.user ?? process.env.ISYM_USER ?? (embedded ? DEFAULT_USER : undefined);
  const password: string | undefined = options.password ?? process.env.ISYM_PASSWORD ?? (embedded ? DEFAULT_PASSWORD : undefined);
  return {
    user,
    password,
    contractPath: options.contract,
    reportDir: options.reportDir,
    formats: options.format,
    seed: options.seed,
    numRuns: options.runs,
    only: options.only,
    skip: options.skip,
    coreServer: options.coreServer,
    requestTimeoutMs: options.requestTimeout * 1000,
    restart:
      options.restartCmd !== undefined || embedded
        ? { command: options.restartCmd, controlUrl: embedded?.control.restartUrl, readyTimeoutS: options.readyTimeout }
        : undefined,
    strict: Boolean(options.strict),
    requireAll: Boolean(options.requireAll),
    sut: options.sut,
    configFile,
    caFile: options.cacert,
    insecure: Boolean(options.insecure),
    baselineFile: options.baseline,
    replayFrom: options.replay,
    maxTimeMs: options.maxTime !== undefined ? options.maxTime * 1000 : undefined,
    ruleTimeoutMs: options.ruleTimeout !== undefined ? options.ruleTimeout * 1000 : undefined,
    concurrency: options.concurrency,
    maxCalls: options.maxCalls,
    shard: options.shard,
  };
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`isym-conform: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
