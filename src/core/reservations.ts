import type { Plan, Reservation } from "./plan.ts";
import type { Clock } from "./ports.ts";
import type { RequestStore } from "./request.ts";

/**
 * How long a finished request keeps its reservation. A plan made from live state read just
 * before another request's clone would otherwise miss that container's id.
 */
const RESERVATION_GRACE_MS = 10 * 60 * 1000;

/** Collects the reservations of every active or recently ended request but one. */
export async function othersReservations(
  store: RequestStore,
  clock: Clock,
  exceptId?: string,
): Promise<Reservation[]> {
  const since = new Date(clock.now().getTime() - RESERVATION_GRACE_MS);
  const requests = await store.listActive(since);
  return requests.filter((r) => r.id !== exceptId).map((r) => r.reservation);
}

/** An empty reservation, for plans that claim nothing. */
export function noReservation(): Plan["reservation"] {
  return { vmids: [], ips: [], names: [], nodes: [] };
}
