// The options a free slot keeps through a reload (assign-backend-slots.ts): its own labels, with the
// backend's check and sticky cookie as they are now.
import type { SharedBackend } from "@rancher-haproxy/core";
import { SLOT_COOKIE, type ServerOptions } from "./server-slots.js";

// A held slot's options: its own ones (`loaded`, the containers' labels), with what every container of
// `backend` carries from the backend's own options (the generator's rule) instead of what it had:
// `check` with a check path, a sticky cookie (its slot's name once in a slot).
export function heldOptions(backend: SharedBackend, loaded: ServerOptions = {}): ServerOptions {
  const { check: _check, cookie: _cookie, ...own } = loaded;
  return {
    ...own,
    ...(backend.options?.check === undefined ? {} : { check: true }),
    ...(backend.options?.sticky ? { cookie: SLOT_COOKIE } : {}),
  };
}
