import type { Inventory, Policy } from "../config/schema.ts";
import type { KeyedMutex } from "./keyed-mutex.ts";
import type { Clock, CommandRunner, Logger } from "./ports.ts";
import type { Store } from "./store.ts";
import type { ChatSurface } from "./surface.ts";

/** Everything the bot's handlers share. */
export interface BotDeps {
  inventory: Inventory;
  policy: Policy;
  runner: CommandRunner;
  store: Store;
  surface: ChatSurface;
  clock: Clock;
  logger: Logger;
  /** Pause between polls of waiting steps, in milliseconds. */
  pollIntervalMs: number;
  /** This bot process among its replicas: the owner of the leases it takes. */
  replicaId: string;
}

/** Locks shared by planning and running inside one bot process. */
export interface BotLocks {
  /** One planning or run per service at a time. */
  services: KeyedMutex;
  /** Planning reads reservations and stores its own in one critical section. */
  reservations: KeyedMutex;
  /** Edits of one file on one host, across services. */
  files: KeyedMutex;
}
