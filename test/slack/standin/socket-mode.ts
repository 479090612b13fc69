import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { AckQueue } from "./ack-queue.ts";
import {
  type EventDelivery,
  eventCallback,
  eventEnvelope,
  interactionEnvelope,
  type SlashCommandInput,
  slashCommandEnvelope,
  slashCommandFields,
} from "./payloads.ts";
import type { SocketAck, SocketEnvelope, WorkspaceIdentity } from "./types.ts";
import type { Workspace } from "./workspace.ts";

/** Reason in a `disconnect` message, such as Slack's `refresh_requested`, `warning` or `too_many_websockets`. */
export type DisconnectReason = string;

/** Options of one envelope push. */
export interface SendOptions {
  /** Time in ms to wait for the ack, the stand-in's `ackTimeoutMs` unless set. */
  timeoutMs?: number;
}

/** Socket Mode side of the stand-in, as tests drive it. */
export interface SocketModeControl {
  /** Every envelope pushed, in order, duplicates included. */
  readonly sent: SocketEnvelope[];
  /** Every ack received, in order. */
  readonly acks: SocketAck[];
  /** Number of open connections. */
  readonly openConnections: number;
  /**
   * Resolves once `count` connections have opened since the stand-in started. It resolves when
   * `hello` is sent, so the client may not have processed `hello` yet.
   */
  waitForConnection(count?: number, timeoutMs?: number): Promise<void>;
  /**
   * Pushes an envelope to the newest open connection and resolves with the ack that carries
   * its `envelope_id`. Rejects when no connection is open or no ack arrives in time. Sending the
   * same envelope twice waits for two acks.
   */
  send(envelope: SocketEnvelope, options?: SendOptions): Promise<SocketAck>;
  /** Pushes a `/psa` slash command envelope built from the input. */
  sendSlashCommand(input: SlashCommandInput, options?: SendOptions): Promise<SocketAck>;
  /**
   * Pushes an `interactive` envelope. For a `block_actions` payload whose message the stand-in
   * stores, the payload's `message` is replaced by the stored message, as Slack sends it.
   */
  sendInteraction(payload: Record<string, unknown>, options?: SendOptions): Promise<SocketAck>;
  /** Pushes an `events_api` envelope with the event's ID and retry fields. */
  sendEvent(
    event: Record<string, unknown>,
    delivery: EventDelivery,
    options?: SendOptions,
  ): Promise<SocketAck>;
  /** Sends a `disconnect` message to every open connection, after which Slack clients reconnect. */
  disconnect(reason?: DisconnectReason): void;
  /** Drops every connection without a close handshake, as a network failure would. */
  terminate(): void;
}

/**
 * Socket Mode server of the stand-in. It accepts WebSocket upgrades on `/socket` that carry a
 * ticket from `apps.connections.open`, greets each connection with `hello`, pushes envelopes
 * and matches the acks.
 */
export class SocketModeServer implements SocketModeControl {
  readonly sent: SocketEnvelope[] = [];
  readonly acks: SocketAck[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly connections: WebSocket[] = [];
  private readonly pendingAcks = new AckQueue();
  private readonly connectionListeners: Array<() => void> = [];
  private openedCount = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly ackTimeoutMs: number,
  ) {}

  get openConnections(): number {
    return this.connections.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  }

  /** Returns a one-use `ws://HOST:PORT/socket?ticket=…` URL on the given origin. */
  issueUrl(httpOrigin: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${httpOrigin.replace(/^http/, "ws")}/socket?ticket=${ticket}`;
  }

  /** Completes a WebSocket upgrade on `/socket` with a valid ticket and rejects every other. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/socket") {
      rejectUpgrade(socket, "404 Not Found");
      return;
    }
    if (!this.tickets.delete(ticket)) {
      rejectUpgrade(socket, "401 Unauthorized");
      return;
    }
    this.server.handleUpgrade(request, socket, head, (connection) => this.accept(connection));
  }

  waitForConnection(count = 1, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const opened = `${this.openedCount} of ${count} Socket Mode connections opened`;
        reject(new Error(`timed out after ${timeoutMs} ms: ${opened}`));
      }, timeoutMs);
      const check = () => {
        if (this.openedCount < count) {
          this.connectionListeners.push(check);
          return;
        }
        clearTimeout(timer);
        resolve();
      };
      check();
    });
  }

  send(envelope: SocketEnvelope, options: SendOptions = {}): Promise<SocketAck> {
    const open = this.connections.filter((socket) => socket.readyState === WebSocket.OPEN);
    const connection = open[open.length - 1];
    if (connection === undefined) {
      const hint = "start a Socket Mode client and await its start() first";
      return Promise.reject(
        new Error(`no Socket Mode connection is open for ${envelope.type}: ${hint}`),
      );
    }

    const acked = this.pendingAcks.wait(envelope, options.timeoutMs ?? this.ackTimeoutMs);
    this.sent.push(envelope);
    connection.send(JSON.stringify(envelope));
    return acked;
  }

  sendSlashCommand(input: SlashCommandInput, options?: SendOptions): Promise<SocketAck> {
    const fields = slashCommandFields(input, this.identity);
    return this.send(slashCommandEnvelope(fields), options);
  }

  sendInteraction(payload: Record<string, unknown>, options?: SendOptions): Promise<SocketAck> {
    return this.send(interactionEnvelope(this.withStoredMessage(payload)), options);
  }

  sendEvent(
    event: Record<string, unknown>,
    delivery: EventDelivery,
    options?: SendOptions,
  ): Promise<SocketAck> {
    const callback = eventCallback(event, delivery.eventId, this.identity);
    return this.send(eventEnvelope(callback, delivery), options);
  }

  disconnect(reason: DisconnectReason = "refresh_requested"): void {
    const message = JSON.stringify({ type: "disconnect", reason, debug_info: { host: "standin" } });
    for (const connection of this.connections) {
      if (connection.readyState === WebSocket.OPEN) {
        connection.send(message);
      }
    }
  }

  terminate(): void {
    for (const connection of this.connections) {
      connection.terminate();
    }
  }

  /**
   * Closes every connection with code 1001 (going away), drops those that have not finished the
   * close handshake within `graceMs`, and rejects every ack still awaited. A client that is not
   * shutting down reconnects after this and fails, because the stand-in is gone.
   */
  async close(graceMs = 1000): Promise<void> {
    const closed = this.connections.map(
      (connection) => new Promise<void>((resolve) => connection.once("close", () => resolve())),
    );
    for (const connection of this.connections) {
      if (connection.readyState === WebSocket.OPEN) {
        connection.close(1001, "stand-in closing");
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);

    this.terminate();
    this.server.close();
    this.tickets.clear();
    this.pendingAcks.rejectAll("the stand-in closed");
  }

  private get identity(): WorkspaceIdentity {
    return this.workspace.identity;
  }

  private accept(connection: WebSocket): void {
    this.connections.push(connection);
    this.openedCount += 1;
    connection.on("message", (data, isBinary) => this.receive(data.toString(), isBinary));
    connection.on("close", () => {
      const index = this.connections.indexOf(connection);
      if (index >= 0) {
        this.connections.splice(index, 1);
      }
    });

    connection.send(JSON.stringify(this.helloMessage()));
    for (const listener of this.connectionListeners.splice(0)) {
      listener();
    }
  }

  /**
   * Builds the `hello` message that Slack sends when a connection opens. The client waits for
   * it before it reports itself connected.
   */
  private helloMessage(): Record<string, unknown> {
    return {
      type: "hello",
      num_connections: this.openConnections,
      debug_info: { host: "standin", build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: this.identity.appId },
    };
  }

  private receive(text: string, isBinary: boolean): void {
    const message = isBinary ? undefined : parseObject(text);
    const envelopeId = message?.envelope_id;
    if (typeof envelopeId !== "string") {
      return;
    }

    const ack: SocketAck = { envelope_id: envelopeId, time: new Date() };
    if (typeof message?.payload === "object" && message.payload !== null) {
      ack.payload = message.payload as Record<string, unknown>;
    }
    this.acks.push(ack);
    this.pendingAcks.deliver(ack);
  }

  private withStoredMessage(payload: Record<string, unknown>): Record<string, unknown> {
    const channel = payload.channel as { id?: unknown } | undefined;
    const message = payload.message as { ts?: unknown } | undefined;
    if (typeof channel?.id !== "string" || typeof message?.ts !== "string") {
      return payload;
    }

    const stored = this.workspace.findMessage(channel.id, message.ts);
    if (stored === undefined) {
      return payload;
    }
    const { channel: _channel, ...fields } = structuredClone(stored);
    return { ...payload, message: fields };
  }
}

function rejectUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
