import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleWebApiCall, type WebApiState } from "./http-api.ts";
import { handleResponseUrl, type ResponseTarget, type ResponseUrlState } from "./response-urls.ts";
import { type SocketModeControl, SocketModeServer } from "./socket-mode.ts";
import {
  defaultIdentity,
  defaultTokens,
  type InjectedFailure,
  type RecordedCall,
  type RecordedResponse,
  type StandinTokens,
  type StoredEphemeral,
  type StoredMessage,
  type WorkspaceIdentity,
} from "./types.ts";
import { type UserProfile, Workspace } from "./workspace.ts";

/** Options of {@link startSlackStandin}. */
export interface SlackStandinOptions {
  /** Loopback address to bind, 127.0.0.1 unless set; other addresses are rejected. */
  host?: string;
  /** TCP port, 0 (any free port) unless set. */
  port?: number;
  identity?: Partial<WorkspaceIdentity>;
  tokens?: Partial<StandinTokens>;
  /** Time in ms that Socket Mode pushes wait for an ack, 3000 (Slack's ack deadline) unless set. */
  ackTimeoutMs?: number;
  /** Channels to create, each with its members. The bot is a member only when listed. */
  channels?: Array<{ id: string; name?: string; members: string[] }>;
  users?: Array<Partial<UserProfile> & { id: string }>;
}

/** A running stand-in of the Slack Web API, `response_url` endpoints and Socket Mode. */
export interface SlackStandin {
  /** Web API base URL for Bolt's `clientOptions.slackApiUrl`: `http://HOST:PORT/api/`. */
  url: string;
  identity: WorkspaceIdentity;
  tokens: StandinTokens;
  /** Every Web API call, in arrival order. */
  calls: RecordedCall[];
  /** Every POST to a `response_url`, in arrival order. */
  responses: RecordedResponse[];
  /** Makes the next `times` calls of `method` fail, after any failures already queued. */
  failNext(method: string, failure: InjectedFailure, times?: number): void;
  /** Sets the members of a channel and creates it if needed. The bot is a member only when listed. */
  members(channel: string, userIds: string[], name?: string): void;
  addUser(user: Partial<UserProfile> & { id: string }): void;
  /** Top-level messages of a channel, oldest first, with updates applied. */
  messages(channel: string): StoredMessage[];
  /** Replies in the thread under `ts`, oldest first, with updates applied. */
  thread(channel: string, ts: string): StoredMessage[];
  ephemerals(channel: string): StoredEphemeral[];
  /** The Home tab view last published for a user. */
  homeView(userId: string): Record<string, unknown> | undefined;
  /**
   * Returns `http://HOST:PORT/response/ID`. With a target, posts to it change the target's
   * channel and message as Slack applies responses.
   */
  responseUrl(id: string, target?: ResponseTarget): string;
  socket: SocketModeControl;
  /**
   * Closes Socket Mode connections, waiting up to 1 s for each close handshake, and stops the
   * server. Stop Socket Mode clients first: a client that is still running reconnects and fails.
   */
  close(): Promise<void>;
}

/**
 * Starts the stand-in on a loopback address. Point Bolt at it with
 * `clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } }` and the
 * stand-in's tokens.
 */
export async function startSlackStandin(options: SlackStandinOptions = {}): Promise<SlackStandin> {
  const host = options.host ?? "127.0.0.1";
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new Error(`stand-in host ${host} is not a 127.0.0.0/8 loopback address`);
  }
  // Handlers are attached after listening, which is safe because no request is read before
  // this function continues.
  const server = createServer();
  const port = await listen(server, host, options.port ?? 0);
  const origin = `http://${host}:${port}`;

  const workspace = new Workspace({ ...defaultIdentity, ...options.identity });
  seedWorkspace(workspace, options);
  const socket = new SocketModeServer(workspace, options.ackTimeoutMs ?? 3000);
  const apiState: WebApiState = {
    tokens: { ...defaultTokens, ...options.tokens },
    calls: [],
    failures: new Map(),
    context: { workspace, baseUrl: `${origin}/`, openSocketUrl: () => socket.issueUrl(origin) },
  };
  const responseState: ResponseUrlState = { workspace, responses: [], targets: new Map() };
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    route(request, response, apiState, responseState).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`stand-in error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on("upgrade", (request, stream, head) => socket.handleUpgrade(request, stream, head));

  return standinHandle(origin, server, socket, apiState, responseState);
}

/** Builds the test-facing handle over the running server and its state. */
function standinHandle(
  origin: string,
  server: Server,
  socket: SocketModeServer,
  apiState: WebApiState,
  responseState: ResponseUrlState,
): SlackStandin {
  const { workspace } = apiState.context;
  return {
    url: `${origin}/api/`,
    identity: workspace.identity,
    tokens: apiState.tokens,
    calls: apiState.calls,
    responses: responseState.responses,
    failNext: (method, failure, times = 1) => {
      const queue = apiState.failures.get(method) ?? [];
      queue.push(...Array.from({ length: times }, () => failure));
      apiState.failures.set(method, queue);
    },
    members: (channel, userIds, name) => {
      workspace.setMembers(channel, userIds, name);
    },
    addUser: (user) => {
      workspace.addUser(user);
    },
    messages: (channel) => workspace.topLevelMessages(channel),
    thread: (channel, ts) => workspace.threadReplies(channel, ts),
    ephemerals: (channel) => workspace.ephemerals.filter((message) => message.channel === channel),
    homeView: (userId) => workspace.homeViews.get(userId),
    responseUrl: (id, target) => {
      if (target !== undefined) {
        responseState.targets.set(id, target);
      }
      return `${origin}/response/${encodeURIComponent(id)}`;
    },
    socket,
    close: async () => {
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function seedWorkspace(workspace: Workspace, options: SlackStandinOptions): void {
  for (const user of options.users ?? []) {
    workspace.addUser(user);
  }
  for (const channel of options.channels ?? []) {
    workspace.setMembers(channel.id, channel.members, channel.name);
  }
}

/** Routes `/api/METHOD` to the Web API and `/response/ID` to the response URLs, and others to 404. */
async function route(
  request: IncomingMessage,
  response: ServerResponse,
  apiState: WebApiState,
  responseState: ResponseUrlState,
): Promise<void> {
  const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
  const api = /^\/api\/([\w.]+)$/.exec(path);
  if (api?.[1] !== undefined && (request.method === "POST" || request.method === "GET")) {
    await handleWebApiCall(api[1], request, response, apiState);
    return;
  }
  const responseUrl = /^\/response\/([^/]+)$/.exec(path);
  if (responseUrl?.[1] !== undefined && request.method === "POST") {
    await handleResponseUrl(decodeURIComponent(responseUrl[1]), request, response, responseState);
    return;
  }
  response.writeHead(404, { "content-type": "text/plain" });
  response.end(`no stand-in route for ${request.method} ${path}`);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
