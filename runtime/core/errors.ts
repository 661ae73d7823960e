// Flume's exceptions, by what the caller should do about them.

/** A channel refused a put, take or commit; the transaction must be rolled back. */
export class ChannelException extends Error {
  override name = 'ChannelException';
}

/** The channel has no room for the events of a commit (Flume's ChannelFullException). */
export class ChannelFullException extends ChannelException {
  override name = 'ChannelFullException';
}

/** A sink could not deliver; the processor may fail over, and the runner backs off. */
export class EventDeliveryException extends Error {
  override name = 'EventDeliveryException';
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
