import type { ChangeRequest, NewRequest, RequestStore } from "../core/request.ts";
import { FINAL_STATUSES } from "../core/request.ts";

/**
 * Keeps requests in this process's memory. Each method runs without awaiting in between, so
 * compare-and-set holds within the process.
 */
export class MemoryRequestStore implements RequestStore {
  private readonly requests = new Map<string, ChangeRequest>();
  private sequence = 0;

  async create(request: NewRequest): Promise<ChangeRequest> {
    const id = `R${++this.sequence}`;
    const stored = { ...request, id, updatedAt: request.createdAt, version: 1 };
    this.requests.set(id, stored);
    return structuredClone(stored);
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    const found = this.requests.get(id);
    return found && structuredClone(found);
  }

  async update(
    id: string,
    version: number,
    change: Partial<Omit<ChangeRequest, "id" | "version">>,
  ): Promise<ChangeRequest | undefined> {
    const current = this.requests.get(id);
    if (!current || current.version !== version) return undefined;

    const next = {
      ...current,
      ...structuredClone(change),
      version: version + 1,
      updatedAt: new Date().toISOString(),
    };
    this.requests.set(id, next);
    return structuredClone(next);
  }

  async listActive(since: Date): Promise<ChangeRequest[]> {
    return [...this.requests.values()]
      .filter((r) => !FINAL_STATUSES.has(r.status) || new Date(r.updatedAt) >= since)
      .map((r) => structuredClone(r));
  }
}
