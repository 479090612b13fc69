import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, chmod, chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { LabPaths } from "./layout.ts";
import { isLabProcess, readPidFile, waitFor } from "./process.ts";

/** Debian's PostgreSQL 15 binaries (package postgresql-15). */
const BIN = "/usr/lib/postgresql/15/bin";

/** The port of the lab's PostgreSQL, on its own address 127.N.30.10. */
export const POSTGRES_PORT = 5432;

/** The PostgreSQL server the lab runs, as recorded in lab.json. */
export interface PostgresInfo {
  pid: number;
  address: string;
  port: number;
  dataDir: string;
  socketDir: string;
  log: string;
  /** `STATE/database-url`, mode 600, containing {@link PostgresInfo.url}. */
  urlFile: string;
  /** `postgres://psa:PASSWORD@127.N.30.10:5432/psa`. */
  url: string;
}

/** Returns the address of the lab's PostgreSQL, 127.N.30.10. */
export function postgresAddress(net: number): string {
  return `127.${net}.30.10`;
}

/** Returns where the lab keeps PostgreSQL's files inside its state directory. */
export function postgresPaths(paths: LabPaths) {
  const root = join(paths.stateDir, "postgres");
  return {
    root,
    dataDir: join(root, "data"),
    socketDir: join(root, "run"),
    log: join(root, "postgres.log"),
    urlFile: join(paths.stateDir, "database-url"),
  };
}

interface OsUser {
  uid: number;
  gid: number;
  home: string;
}

/** Looks up the `postgres` OS user that the Debian package creates. */
async function postgresUser(): Promise<OsUser> {
  const passwd = await readFile("/etc/passwd", "utf8");
  const fields = passwd
    .split("\n")
    .map((line) => line.split(":"))
    .find((entry) => entry[0] === "postgres");

  if (!fields) {
    throw new Error(
      "OS user postgres not found: install postgresql-15 (apt-get install -y postgresql-15)",
    );
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? "/" };
}

/**
 * Runs a PostgreSQL program as the postgres OS user, because initdb, pg_ctl and the server
 * refuse to run as root. Node.js drops root's supplementary groups when it sets the uid.
 */
function runAsPostgres(
  user: OsUser,
  program: string,
  args: string[],
  options: { cwd: string; input?: string },
): Promise<string> {
  const env = { PATH: "/usr/bin:/bin", HOME: user.home, LANG: "C.UTF-8" };

  return new Promise((resolve, reject) => {
    const child = execFile(
      join(BIN, program),
      args,
      { uid: user.uid, gid: user.gid, cwd: options.cwd, env, timeout: 60_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || stdout.trim() || error.message;
          reject(new Error(`${program} ${args.join(" ")} failed: ${detail}`, { cause: error }));
          return;
        }
        resolve(stdout);
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/**
 * Lets the postgres OS user reach the data directory: adds search permission for others to the
 * state directory (mkdtemp creates it as 0700) and rejects when a parent denies it.
 */
async function makeTraversable(stateDir: string): Promise<void> {
  const mode = (await stat(stateDir)).mode & 0o7777;
  await chmod(stateDir, mode | 0o001);

  for (let dir = dirname(stateDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `${dir} is not searchable by others, so the postgres user cannot reach ${stateDir}: ` +
          "choose a state directory under /tmp, or chmod o+x the parents",
      );
    }
  }
}

/** Builds the settings the lab appends to postgresql.conf. */
export function postgresSettings(address: string, socketDir: string): string {
  return [
    "",
    "# Lab settings, appended by the lab at start.",
    `listen_addresses = '${address}'`,
    `port = ${POSTGRES_PORT}`,
    `unix_socket_directories = '${socketDir}'`,
    "password_encryption = 'scram-sha-256'",
    "shared_buffers = '32MB'",
    // The lab's data is thrown away with the lab, so durability is traded for speed.
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "",
  ].join("\n");
}

/**
 * Builds pg_hba.conf: peer authentication on the Unix socket, SCRAM over TCP from loopback
 * only. A connection to 127.N.30.10 comes from 127.0.0.1 unless the client binds another
 * loopback address, so the whole of 127.0.0.0/8 is allowed.
 */
export function postgresHba(): string {
  return [
    "# pg_hba.conf of the lab, generated at start. TYPE DATABASE USER ADDRESS METHOD",
    "local all all peer",
    "host all all 127.0.0.0/8 scram-sha-256",
    "",
  ].join("\n");
}

async function createCluster(
  user: OsUser,
  files: ReturnType<typeof postgresPaths>,
  address: string,
) {
  await mkdir(files.root, { recursive: true });
  await chown(files.root, user.uid, user.gid);
  await mkdir(files.socketDir);
  await chown(files.socketDir, user.uid, user.gid);

  await runAsPostgres(
    user,
    "initdb",
    [
      "-D",
      files.dataDir,
      "--auth-host=scram-sha-256",
      "--auth-local=peer",
      "--username=postgres",
      "--encoding=UTF8",
      "--no-locale",
      "--no-sync",
    ],
    { cwd: files.root },
  );
  // Appending and overwriting keep the files' owner, postgres.
  await appendFile(
    join(files.dataDir, "postgresql.conf"),
    postgresSettings(address, files.socketDir),
  );
  await writeFile(join(files.dataDir, "pg_hba.conf"), postgresHba());
}

/** Creates the role psa with `password` (allowed to create databases) and its database. */
async function createRoleAndDatabase(
  user: OsUser,
  files: ReturnType<typeof postgresPaths>,
  password: string,
) {
  const sql = [
    `CREATE ROLE psa LOGIN CREATEDB PASSWORD '${password}';`,
    "CREATE DATABASE psa OWNER psa;",
    "",
  ].join("\n");
  const psql = [
    "-X",
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    files.socketDir,
    "-p",
    `${POSTGRES_PORT}`,
  ];

  // The SQL goes through stdin so the password does not show in the process list.
  await runAsPostgres(user, "psql", [...psql, "-U", "postgres", "-d", "postgres", "-f", "-"], {
    cwd: files.root,
    input: sql,
  });
}

/** Starts the server with pg_ctl and waits until it accepts connections, at most 30 s. */
async function startServer(user: OsUser, files: ReturnType<typeof postgresPaths>) {
  const args = ["-D", files.dataDir, "-l", files.log, "-w", "-t", "30", "start"];

  try {
    await runAsPostgres(user, "pg_ctl", args, { cwd: files.root });
  } catch (error) {
    // pg_ctl only reports "could not start server". The reason, such as a Unix socket path
    // longer than 107 bytes, is in the server log.
    const logText = await readFile(files.log, "utf8").catch(() => "");
    const tail = logText.trim().split("\n").slice(-5).join("\n");
    throw new Error(`${(error as Error).message}\n${files.log}:\n${tail}`, { cause: error });
  }
}

/**
 * Creates a PostgreSQL 15 cluster in `STATE/postgres`, starts it with pg_ctl listening on
 * 127.N.30.10:5432 only, creates the role and database psa, and writes the database URL to
 * `STATE/database-url` (mode 600).
 */
export async function startPostgres(
  paths: LabPaths,
  net: number,
  log: (line: string) => void,
): Promise<PostgresInfo> {
  const user = await postgresUser();
  const files = postgresPaths(paths);
  const address = postgresAddress(net);
  const password = randomBytes(24).toString("hex");

  await makeTraversable(paths.stateDir);
  log(`creating a PostgreSQL 15 cluster in ${files.dataDir}`);
  await createCluster(user, files, address);
  log(`starting PostgreSQL on ${address}:${POSTGRES_PORT}`);
  await startServer(user, files);
  await createRoleAndDatabase(user, files, password);

  const url = `postgres://psa:${password}@${address}:${POSTGRES_PORT}/psa`;
  await writeFile(files.urlFile, `${url}\n`, { mode: 0o600 });
  const pid = await readPidFile(join(files.dataDir, "postmaster.pid"));
  if (pid === undefined) {
    throw new Error(
      `PostgreSQL started but ${files.dataDir}/postmaster.pid has no pid: see ${files.log}`,
    );
  }
  return { pid, address, port: POSTGRES_PORT, ...files, url };
}

/** Returns the pid of the lab's postmaster when it runs, read from postmaster.pid. */
export async function postgresPid(paths: LabPaths): Promise<number | undefined> {
  const pid = await readPidFile(join(postgresPaths(paths).dataDir, "postmaster.pid"));
  return (await isLabProcess(pid, paths.stateDir)) ? pid : undefined;
}

/**
 * Stops the lab's PostgreSQL by the pid in postmaster.pid: SIGINT (fast shutdown, which ends
 * open sessions; SIGTERM would wait for clients to disconnect), then SIGQUIT (immediate
 * shutdown) after 10 s, then SIGKILL. Does nothing when it does not run.
 */
export async function stopPostgres(paths: LabPaths): Promise<void> {
  const pid = await postgresPid(paths);
  if (pid === undefined) {
    return;
  }

  const stopped = () => isLabProcess(pid, paths.stateDir).then((alive) => !alive);
  for (const [signal, graceMs] of [
    ["SIGINT", 10_000],
    ["SIGQUIT", 5000],
    ["SIGKILL", 5000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitFor(stopped, graceMs)) {
      return;
    }
  }
}
