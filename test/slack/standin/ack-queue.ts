import type { SocketAck, SocketEnvelope } from "./types.ts";

interface AckWaiter {
  resolve(ack: SocketAck): void;
  reject(error: Error): void;
}

/**
 * Pending waits for Socket Mode acks, first in first out per `envelope_id`, so an envelope that
 * is pushed twice is matched with two acks in order.
 */
export class AckQueue {
  private readonly waiters = new Map<string, AckWaiter[]>();

  /** Resolves with the next ack of the envelope, or rejects after `timeoutMs`. */
  wait(envelope: SocketEnvelope, timeoutMs: number): Promise<SocketAck> {
    const id = envelope.envelope_id;
    const queue = this.waiters.get(id) ?? [];
    this.waiters.set(id, queue);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        const label = `${envelope.type} envelope ${id}`;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for the ack of ${label}`));
      }, timeoutMs);
      const waiter: AckWaiter = {
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      queue.push(waiter);
    });
  }

  /** Resolves the oldest wait for the ack's envelope. An ack without a pending wait is dropped. */
  deliver(ack: SocketAck): void {
    this.waiters.get(ack.envelope_id)?.shift()?.resolve(ack);
  }

  /** Rejects every pending wait, naming the envelope and the reason. */
  rejectAll(reason: string): void {
    for (const [id, queue] of this.waiters) {
      for (const waiter of queue.splice(0)) {
        waiter.reject(new Error(`envelope ${id} was not acked: ${reason}`));
      }
    }
    this.waiters.clear();
  }
}
