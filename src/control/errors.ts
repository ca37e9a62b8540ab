/** A control-plane failure: HTTP status, a stable code and a sentence (`{"error": code, "message": …}` on the wire). */
export class ControlError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const badRequest = (message: string) => new ControlError(400, 'badRequest', message);
export const notFound = (message: string) => new ControlError(404, 'notFound', message);
export const conflict = (message: string) => new ControlError(409, 'conflict', message);
